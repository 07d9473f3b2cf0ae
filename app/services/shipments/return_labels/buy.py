"""Buying a return's label (``POST /returns/{id}/label``): the carrier quotes the return
shipment with no transaction open, the chosen rate is taken as the pending purchase with a
new key, the carrier sells it with none open, and the answer is settled."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime

import httpx

from app.adapters.carriers.base import Rate, ShipmentFacts
from app.adapters.carriers.registry import CarrierConfig, build_gateway
from app.domain.after_sales.return_shipping import check_can_buy_return_label, check_label_carrier
from app.domain.errors import CarrierUnavailable, Conflict, RuleViolation, UnknownReference
from app.domain.shipments import LabelStatus
from app.repositories.carriers import Carrier
from app.repositories.returns import Return
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.carriers.terms import config_of
from app.services.shipments.labels.purchase import refused
from app.services.shipments.rates.facts import carrier_issues, failure_of
from app.services.shipments.return_labels.commands import BuyReturnLabel
from app.services.shipments.return_labels.facts import return_facts
from app.services.shipments.return_labels.purchase import (
    ReturnPurchase,
    attempt,
    now_utc,
    rate_of,
    settle,
    stored_rate,
)
from app.services.shipments.return_labels.views import ReturnShipping, load_view, locked_return
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


@dataclass(frozen=True)
class Quoting:
    """A return shipment to quote at ``config``'s carrier, for ``service`` when named."""

    return_id: uuid.UUID
    carrier_id: uuid.UUID
    config: CarrierConfig
    facts: ShipmentFacts
    service: str | None
    named: bool  # the caller named the service: it must be offered


async def buy_return_label(cmd: BuyReturnLabel, uow: UnitOfWork, ctx: Context) -> ReturnShipping:
    """Buy the return label (or finish its pending purchase); the view says purchased,
    pending (the carrier's outcome unknown: call again) or failed (the carrier refused)."""
    started = await _start(uow, cmd, ctx.settings)
    if isinstance(started, ReturnShipping):
        return started
    if isinstance(started, Quoting):
        rate = await _quote(started, cmd.client)
        started = await _take(uow, started, rate, cmd, ctx.settings)
        if isinstance(started, ReturnShipping):
            return started
    outcome = await attempt(started, cmd.client)
    return await settle(uow, started, outcome, cmd.principal.actor)


@retrying
async def _start(
    uow: UnitOfWork, cmd: BuyReturnLabel, settings: Settings
) -> ReturnShipping | ReturnPurchase | Quoting:
    """The bought label as it is; the pending purchase to finish; or what to quote."""
    now = now_utc()
    async with uow:
        ret = await locked_return(uow, cmd.return_id)
        if ret.label_status == LabelStatus.PURCHASED:
            return await load_view(uow, ret)
        check_can_buy_return_label(ret.status, ret.method)
        if ret.label_status == LabelStatus.PENDING:
            return await _pending(uow, ret, cmd, now, settings)
        shipment = await uow.returns.delivered_shipment(ret.order_id)
        carrier = await _carrier(uow, cmd.carrier, shipment.carrier_id if shipment else None)
        default = shipment.service if shipment and shipment.carrier_id == carrier.id else None
        return Quoting(
            return_id=ret.id,
            carrier_id=carrier.id,
            config=config_of(carrier),
            facts=await return_facts(uow, ret, shipment, now, settings),
            service=cmd.service or default,
            named=cmd.service is not None,
        )


async def _carrier(uow: UnitOfWork, code: str | None, shipped_by: uuid.UUID | None) -> Carrier:
    """The named carrier, else the delivered shipment's; it must sell labels."""
    found = await uow.carriers.get_by_code(code) if code else None
    if code is None and shipped_by is not None:
        found = await uow.carriers.get(shipped_by)
    if found is None:
        if code is None:
            raise RuleViolation.on(
                "carrier", "required", "The order was not shipped by a carrier: name one."
            )
        raise UnknownReference.on("carrier", "exists", f"No carrier with code '{code}'.")
    check_label_carrier(found.code, found.adapter_kind, found.active)
    return found


async def _pending(
    uow: UnitOfWork, ret: Return, cmd: BuyReturnLabel, now: datetime, settings: Settings
) -> ReturnPurchase:
    """The purchase whose outcome is not known yet, taken over with the same key."""
    assert ret.carrier_id is not None and ret.label_key and ret.label_rate
    carrier = await uow.carriers.get(ret.carrier_id)
    assert carrier is not None
    asked = (cmd.carrier or carrier.code, cmd.service or ret.carrier_service)
    if asked != (carrier.code, ret.carrier_service):
        raise Conflict(
            f"A return label from {carrier.code}/{ret.carrier_service} is being bought; "
            "finish that purchase first.",
            code="label_pending",
        )
    shipment = await uow.returns.delivered_shipment(ret.order_id)
    return ReturnPurchase(
        return_id=ret.id,
        config=config_of(carrier),
        facts=await return_facts(uow, ret, shipment, now, settings),
        rate=rate_of(ret.label_rate),
        key=ret.label_key,
    )


async def _quote(quoting: Quoting, client: httpx.AsyncClient) -> Rate:
    """The carrier's rate for the return (the service asked for, else the cheapest); the
    carrier's failure changes nothing (409 refused, 503 unreachable)."""
    config = quoting.config
    try:
        async with asyncio.timeout(config.timeout_s):
            rates = await build_gateway(config, client).quote(quoting.facts)
    except Exception as exc:
        reason = failure_of(config.code, exc)["reason"]
        if refused(exc):
            raise Conflict(
                f"The carrier refused the return shipment: {reason}",
                code="label_refused",
                issues=carrier_issues(exc),
            ) from exc
        raise CarrierUnavailable(f"The carrier could not quote the return now: {reason}") from exc
    offered = [r for r in rates if quoting.service in (None, r.service)]
    if not offered and not quoting.named:
        offered = rates
    if not offered:
        raise RuleViolation.on(
            "service",
            "not_offered",
            f"Carrier {config.code} offers no {quoting.service or ''} service for this return.",
        )
    return min(offered, key=lambda r: (r.price, r.service))


@retrying
async def _take(
    uow: UnitOfWork, quoting: Quoting, rate: Rate, cmd: BuyReturnLabel, settings: Settings
) -> ReturnPurchase | ReturnShipping:
    """Make the rate the return's pending purchase, under a new key (unless another request
    took or settled one meanwhile: then that one goes on)."""
    now = now_utc()
    async with uow:
        ret = await locked_return(uow, quoting.return_id)
        if ret.label_status == LabelStatus.PURCHASED:
            return await load_view(uow, ret)
        check_can_buy_return_label(ret.status, ret.method)
        if ret.label_status == LabelStatus.PENDING:
            return await _pending(uow, ret, cmd, now, settings)
        ret.carrier_id = quoting.carrier_id
        ret.carrier_service = rate.service
        ret.label_rate = stored_rate(rate)
        ret.label_key = uuid.uuid4().hex
        ret.label_status = LabelStatus.PENDING.value
        ret.label_error = None
        ret.updated_at = now
        ret.updated_by = cmd.principal.actor
        await uow.commit()
    return ReturnPurchase(ret.id, quoting.config, quoting.facts, rate, ret.label_key)
