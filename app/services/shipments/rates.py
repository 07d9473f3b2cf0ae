"""Rates for a shipment (``POST /shipments/{id}/rates``): every eligible carrier — by
coverage, weight, goods class and deadline, or the shipment's own carrier — is asked at once,
each under its own deadline, with no transaction open; a carrier that fails is reported beside
the others' rates. The answer, ranked by the customer's shipping preference (or the one asked
for), is stored on the shipment as its last quote, which
``app.services.shipments.labels`` buys from."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx

from app.adapters.carriers.base import CarrierError, Rate, ShipmentFacts
from app.adapters.carriers.registry import CarrierConfig, build_gateway
from app.domain.carrier_selection import Preference, preference_issues, select_carriers
from app.domain.carrier_selection import ShipmentFacts as SelectionFacts
from app.domain.errors import FieldIssue, NotFound
from app.domain.exchange_rates import ExchangeRate, convert_rates
from app.domain.products import GoodsClass, raise_for_issues
from app.domain.shipments import QuotedRate, check_can_buy_label, rank_rates
from app.repositories.carriers import Carrier
from app.repositories.shipments import Shipment
from app.services.common import retrying
from app.services.shipments.carriers import carrier_terms, config_of
from app.services.shipments.parties import parcel_of, receiver, sender
from app.services.shipments.views import locked_shipment
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Quote:
    """The stored answer of ``POST .../rates``."""

    quoted_at: datetime
    preference: str
    preferred_carrier: str | None
    rates: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    excluded: list[dict[str, Any]]
    unranked: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "quoted_at": self.quoted_at.isoformat(),
            "preference": self.preference,
            "preferred_carrier": self.preferred_carrier,
            "rates": self.rates,
            "failures": self.failures,
            "excluded": self.excluded,
            "unranked": self.unranked,
        }


def quoted_rates(rates: list[dict[str, Any]]) -> list[QuotedRate]:
    """Stored rates as the domain ranks them (with their price in the reporting currency)."""
    return [
        QuotedRate(
            carrier=r["carrier"],
            service=r["service"],
            price=Decimal(r["price"]),
            currency=r["currency"],
            promised_date=r["promised_date"],
            position=i,
            converted=Decimal(r["converted_price"]) if r.get("converted_price") else None,
        )
        for i, r in enumerate(rates)
    ]


async def shipment_facts(
    uow: UnitOfWork, shipment: Shipment, now: datetime, settings: Settings
) -> ShipmentFacts:
    """What carriers need to know: sender and receiver, the parcel, goods classes, deadline."""
    order = await uow.orders.get(shipment.order_id)
    assert order is not None
    packages = await uow.shipments.packages_of([shipment.id])
    lines = await uow.shipments.lines_of([shipment.id])
    products = await uow.products.get_many_by_sku(sorted({line.sku for line in lines}))
    classes = {GoodsClass(p.goods_class) for p in products.values()}
    warehouse = await uow.warehouses.get(shipment.warehouse_id)
    customer = await uow.customers.get(order.customer_id)
    weight = sum((p.weight_kg for p in packages), Decimal(0))
    return ShipmentFacts(
        reference=shipment.number,
        country=str(shipment.ship_to.get("country", "")),
        region=shipment.ship_to.get("region"),
        weight_kg=weight,
        goods_classes=frozenset(classes or {GoodsClass.GENERAL}),
        ship_at=now.replace(tzinfo=None),
        deliver_by=order.requested_delivery_date,
        origin=sender(warehouse, settings) if warehouse else None,
        destination=receiver(shipment.ship_to, order.customer_name, customer),
        parcel=parcel_of(packages, weight),
    )


def failure_of(carrier: str, exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, CarrierError):
        return {
            "carrier": carrier,
            "reason": str(exc),
            "retryable": exc.retryable,
            "code": exc.code,
            "errors": [{"field": d.field, "message": d.message} for d in exc.details],
        }
    if isinstance(exc, TimeoutError):
        return {
            "carrier": carrier,
            "reason": "The carrier did not answer in time.",
            "retryable": True,
        }
    return {"carrier": carrier, "reason": f"{type(exc).__name__}: {exc}", "retryable": False}


def carrier_issues(exc: BaseException) -> list[FieldIssue]:
    """A carrier's itemised errors as the problem's ``errors`` (the field is ``carrier`` or
    ``carrier.<the field it names>``, the rule the carrier's error code)."""
    if not isinstance(exc, CarrierError):
        return []
    rule = exc.code or "carrier_error"
    return [
        FieldIssue(f"carrier.{d.field}" if d.field else "carrier", rule, d.message)
        for d in exc.details
    ]


async def _ask(
    config: CarrierConfig, client: httpx.AsyncClient, facts: ShipmentFacts
) -> list[Rate]:
    gateway = build_gateway(config, client)
    async with asyncio.timeout(config.timeout_s):
        return await gateway.quote(facts)


def _rate_json(config: CarrierConfig, rate: Rate, table_promise: date | None) -> dict[str, Any]:
    """A carrier's rate as stored; a carrier that promises no date gets the one its master
    data gives (ship date plus the zone's transit days)."""
    promised = rate.promised_date or table_promise
    return {
        "carrier": config.code,
        "provider": rate.carrier_code,
        "service": rate.service,
        "price": str(rate.price),
        "currency": rate.currency,
        "promised_date": promised.isoformat() if promised else None,
        "zone": rate.zone,
        "offer_id": rate.offer_id,
    }


def _ranked(
    rates: list[dict[str, Any]],
    preference: str,
    preferred_carrier: str | None,
    table: list[ExchangeRate],
    today: date,
    reporting: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rates converted into the reporting currency and ranked, and those in a currency
    without a rate in force today, with the reason (listed, never ranked nor bought)."""
    converted, missing = convert_rates(quoted_rates(rates), reporting, table, today)
    ranked = [
        rates[r.position] | {"converted_price": str(r.converted), "reporting_currency": reporting}
        for r in rank_rates(converted, preference, preferred_carrier)
    ]
    unranked = [rates[u.rate.position] | {"reason": u.reason} for u in missing]
    return ranked, unranked


async def preference_for(
    uow: UnitOfWork,
    shipment: Shipment,
    preference: Preference | None,
    preferred_carrier: str | None,
) -> tuple[str, str | None]:
    """The preference asked for, or else the customer's (cheapest when it has none)."""
    if preference is None:
        order = await uow.orders.get(shipment.order_id)
        customer = await uow.customers.get(order.customer_id) if order else None
        if customer is None:
            return Preference.CHEAPEST.value, None
        return customer.shipping_preference, customer.preferred_carrier
    raise_for_issues(preference_issues(preference, preferred_carrier))
    return preference.value, preferred_carrier


async def quote_rates(
    uow: UnitOfWork,
    client: httpx.AsyncClient,
    shipment_id: uuid.UUID,
    settings: Settings,
    preference: Preference | None = None,
    preferred_carrier: str | None = None,
) -> Quote:
    """Ask every eligible carrier at once; store and return the rates, best first by the
    preference (the customer's unless one is given), and the failures."""
    now = _now()
    async with uow:
        shipment = await uow.shipments.get(shipment_id)
        if shipment is None:
            raise NotFound(f"No shipment with id {shipment_id}.")
        check_can_buy_label(shipment.status)
        ranking, preferred = await preference_for(uow, shipment, preference, preferred_carrier)
        facts = await shipment_facts(uow, shipment, now, settings)
        carriers: list[Carrier] = (
            [c for c in [await uow.carriers.get(shipment.carrier_id)] if c is not None]
            if shipment.carrier_id
            else await uow.carriers.all()
        )
        selection = select_carriers(
            [carrier_terms(c) for c in carriers],
            SelectionFacts(
                country=facts.country,
                region=facts.region,
                weight_kg=facts.weight_kg,
                goods_classes=facts.goods_classes,
                now=facts.ship_at,
                deliver_by=facts.deliver_by,
            ),
            Preference.CHEAPEST,  # eligibility only: the rates are ranked below
            None,
        )
        promises = {c.carrier_code: c.quote.promised_date for c in selection.choices}
        configs = [config_of(c) for c in carriers if c.code in promises]
    answers = await asyncio.gather(
        *(_ask(config, client, facts) for config in configs), return_exceptions=True
    )
    rates: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for config, answer in zip(configs, answers, strict=True):
        if isinstance(answer, BaseException):
            if not isinstance(answer, Exception):
                raise answer
            log.warning(
                "carrier.quote_failed", extra={"carrier": config.code, "error": str(answer)}
            )
            failures.append(failure_of(config.code, answer))
        else:
            rates.extend(_rate_json(config, rate, promises[config.code]) for rate in answer)
    async with uow:
        table = await uow.exchange_rates.in_force(
            {r["currency"] for r in rates}, settings.reporting_currency, now.date()
        )
    ranked, unranked = _ranked(
        rates, ranking, preferred, table, now.date(), settings.reporting_currency
    )
    quote = Quote(
        quoted_at=now,
        preference=ranking,
        preferred_carrier=preferred,
        rates=ranked,
        unranked=unranked,
        failures=failures,
        excluded=[
            {"carrier": x.carrier_code, "reason": x.reason.value, "detail": x.detail}
            for x in selection.exclusions
        ],
    )
    await _store_quote(uow, shipment_id, quote)
    return quote


@retrying
async def _store_quote(uow: UnitOfWork, shipment_id: uuid.UUID, quote: Quote) -> None:
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        shipment.quote = quote.as_json()
        await uow.commit()
