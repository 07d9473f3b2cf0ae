"""Carrier selection for a shipment's facts (a query: it changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.domain.carrier_selection import (
    Preference,
    Selection,
    ShipmentFacts,
    preference_issues,
    select_carriers,
)
from app.domain.errors import UnknownReference
from app.domain.exchange_rates import convert
from app.domain.products import GoodsClass, raise_for_issues
from app.services.shipments.carriers.terms import carrier_terms
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class SelectionRequest:
    """Where the goods go, what they weigh and are, by when, and how to rank the carriers.
    ``ship_at`` (local wall-clock time) is now when None."""

    country: str
    region: str | None
    weight_kg: Decimal
    goods_classes: frozenset[GoodsClass]
    deliver_by: date | None
    ship_at: datetime | None
    preference: Preference
    preferred_carrier: str | None


async def select_for_shipment(
    uow: UnitOfWork,
    request: SelectionRequest,
    *,
    now: datetime,
    reporting_currency: str,
) -> Selection:
    """Every carrier, eligible ones ranked by the preference (prices compared in the
    reporting currency at today's exchange rates), the others with their reason. ``now`` is
    used when the request gives no ``ship_at``."""
    raise_for_issues(preference_issues(request.preference, request.preferred_carrier))
    today = now.date()
    async with uow:
        carriers = [carrier_terms(carrier) for carrier in await uow.carriers.all()]
        table = await uow.exchange_rates.in_force(
            {c.currency for c in carriers}, reporting_currency, today
        )
    if request.preferred_carrier is not None and request.preferred_carrier not in {
        c.code for c in carriers
    }:
        raise UnknownReference.on(
            "preferred_carrier", "exists", f"No carrier with code '{request.preferred_carrier}'."
        )
    ship_at = request.ship_at or now
    facts = ShipmentFacts(
        country=request.country,
        region=request.region,
        weight_kg=request.weight_kg,
        goods_classes=request.goods_classes,
        now=ship_at.replace(tzinfo=None),
        deliver_by=request.deliver_by,
    )
    return select_carriers(
        carriers,
        facts,
        request.preference,
        request.preferred_carrier,
        lambda amount, currency: convert(amount, currency, reporting_currency, table, today),
    )
