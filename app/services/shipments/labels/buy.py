"""Buying a shipment's label (``POST /shipments/{id}/label``): choose the rate and take the
purchase with its key, ask the carrier with no transaction open, settle the answer."""

from __future__ import annotations

import uuid
from typing import Any

from app.domain.errors import Conflict
from app.domain.shipments import (
    LabelStatus,
    QuotedRate,
    check_can_buy_label,
    check_same_purchase,
    choose_rate,
)
from app.repositories.shipments import Shipment
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.labels.commands import BuyLabel
from app.services.shipments.labels.purchase import Purchase, attempt, lease, now_utc, settle
from app.services.shipments.rates.facts import preference_for, quoted_rates
from app.services.shipments.views import ShipmentView, load_view, locked_shipment
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


async def buy_label(cmd: BuyLabel, uow: UnitOfWork, ctx: Context) -> ShipmentView:
    """Buy the label (or finish a pending purchase); the view says purchased, pending (with
    the reason, the worker retries) or failed (with the carrier's reason)."""
    started = await _start_purchase(uow, cmd, ctx.settings)
    if isinstance(started, ShipmentView):
        return started
    outcome = await attempt(started, cmd.client)
    return await settle(uow, started, outcome, cmd.principal.actor)


@retrying
async def _start_purchase(
    uow: UnitOfWork, cmd: BuyLabel, settings: Settings
) -> Purchase | ShipmentView:
    """Choose the rate and take the purchase (a new key), or take over the pending one."""
    now = now_utc()
    async with uow:
        shipment = await locked_shipment(uow, cmd.shipment_id)
        current = shipment.label_rate
        bought = (current["carrier"], current["service"]) if current else None
        check_same_purchase(shipment.label_status, bought, cmd.carrier, cmd.service)
        if shipment.label_status == LabelStatus.PURCHASED:
            return await load_view(uow, shipment)
        check_can_buy_label(shipment.status)
        if shipment.label_status != LabelStatus.PENDING:
            await _take_rate(uow, shipment, cmd)
        shipment.updated_at = now
        shipment.updated_by = cmd.principal.actor
        purchase = await lease(uow, shipment, now, settings)
        await uow.commit()
    return purchase


async def _chosen(uow: UnitOfWork, shipment: Shipment, cmd: BuyLabel) -> QuotedRate:
    """The rate of the last quote the command names, or the best by preference."""
    quote = shipment.quote or {}
    if cmd.preference is None and quote.get("preference"):
        # Bought "by preference": the ranking the quote was made with.
        ranking, preferred = quote["preference"], quote.get("preferred_carrier")
    else:
        ranking, preferred = await preference_for(
            uow, shipment, cmd.preference, cmd.preferred_carrier
        )
    return choose_rate(
        quoted_rates(quote.get("rates", [])),
        carrier=cmd.carrier,
        service=cmd.service,
        preference=ranking,
        preferred_carrier=preferred,
        unranked=quoted_rates(quote.get("unranked", [])),
    )


async def _take_rate(uow: UnitOfWork, shipment: Shipment, cmd: BuyLabel) -> None:
    """Make the chosen rate the shipment's pending purchase (its carrier must be active)."""
    rate = await _chosen(uow, shipment, cmd)
    stored = (shipment.quote or {})["rates"][rate.position]
    chosen = await uow.carriers.get_by_code(rate.carrier)
    if chosen is None or not chosen.active:
        raise Conflict(
            f"Carrier {rate.carrier} is no longer active; ask for rates again.",
            code="carrier_inactive",
        )
    shipment.carrier_id = chosen.id
    if not _same_offer(shipment.label_rate, stored) or shipment.label_key is None:
        # A new rate gets a new key; the same rate is always bought with the same key,
        # so an attempt whose outcome was never known cannot lead to a second label.
        shipment.label_key = uuid.uuid4().hex
    shipment.label_rate = stored
    shipment.label_attempts = 0
    shipment.label_reason = None
    shipment.label_status = LabelStatus.PENDING.value


def _same_offer(stored: dict[str, Any] | None, chosen: dict[str, Any]) -> bool:
    keys = ("carrier", "provider", "service")
    return stored is not None and all(stored.get(k) == chosen.get(k) for k in keys)
