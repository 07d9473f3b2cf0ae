"""Labels for a shipment. No carrier is called inside a database transaction: each
use case reads what it needs in one short transaction, talks to the carriers with none open,
and records the outcome in another.

- **Label**: a rate of the last quote (named, or the best by preference) is bought with an
  idempotency key kept on the shipment, so every retry of that purchase — a second request, or
  the worker after a timeout — asks for the same label and never buys two. While the carrier is
  down the shipment waits in ``label_pending`` with the reason; the worker retries with
  backoff. A carrier that refuses leaves the label ``failed`` with its reason.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from app.adapters.carriers.base import CarrierError, Label, Rate, ShipmentFacts
from app.adapters.carriers.registry import CarrierConfig, build_gateway
from app.domain.errors import CarrierUnavailable, Conflict, NotFound
from app.domain.retry import next_retry
from app.domain.shipments import (
    LabelStatus,
    check_can_buy_label,
    check_can_cancel_label,
    check_same_purchase,
    choose_rate,
)
from app.domain.tracking import TrackingStatus
from app.repositories.shipments import Shipment, ShipmentEvent
from app.schemas.shipments import LabelRequest
from app.services.common import retrying
from app.services.recording import record_change
from app.services.shipments.carriers import config_of
from app.services.shipments.rates import (
    carrier_issues,
    failure_of,
    preference_for,
    quoted_rates,
    shipment_facts,
)
from app.services.shipments.views import ShipmentView, audit_image, load_view, locked_shipment
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

log = logging.getLogger(__name__)

# A purchase in flight holds the shipment this long; past it (the process died) the worker
# takes the purchase over with the same key.
PURCHASE_LEASE = timedelta(minutes=2)
MAX_LABEL_ATTEMPTS = 8


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Purchase:
    """A purchase to make (or retry) outside any transaction."""

    shipment_id: uuid.UUID
    config: CarrierConfig
    facts: ShipmentFacts
    rate: Rate
    key: str
    attempts: int


def _rate_of(stored: dict[str, Any]) -> Rate:
    return Rate(
        carrier_code=stored.get("provider") or stored["carrier"],
        service=stored["service"],
        price=Decimal(stored["price"]),
        currency=stored["currency"],
        promised_date=date.fromisoformat(stored["promised_date"])
        if stored.get("promised_date")
        else None,
        zone=stored.get("zone"),
        offer_id=stored.get("offer_id"),
    )


async def _purchase(
    uow: UnitOfWork, shipment: Shipment, now: datetime, settings: Settings
) -> Purchase:
    """The pending purchase of a shipment (its stored rate and key), leased to the caller."""
    assert shipment.label_rate is not None and shipment.label_key is not None
    carrier = await uow.carriers.get_by_code(shipment.label_rate["carrier"])
    if carrier is None:
        raise NotFound(f"Carrier {shipment.label_rate['carrier']} no longer exists.")
    shipment.label_retry_at = now + PURCHASE_LEASE
    return Purchase(
        shipment_id=shipment.id,
        config=config_of(carrier),
        facts=await shipment_facts(uow, shipment, now, settings),
        rate=_rate_of(shipment.label_rate),
        key=shipment.label_key,
        attempts=shipment.label_attempts,
    )


@retrying
async def _start_purchase(
    uow: UnitOfWork,
    shipment_id: uuid.UUID,
    data: LabelRequest,
    actor: str,
    settings: Settings,
) -> Purchase | ShipmentView:
    """Choose the rate and take the purchase (a new key), or take over the pending one."""
    now = _now()
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        current = shipment.label_rate
        bought = (current["carrier"], current["service"]) if current else None
        check_same_purchase(shipment.label_status, bought, data.carrier, data.service)
        if shipment.label_status == LabelStatus.PURCHASED:
            return await load_view(uow, shipment)
        check_can_buy_label(shipment.status)
        if shipment.label_status != LabelStatus.PENDING:
            quote = shipment.quote or {}
            if data.preference is None and quote.get("preference"):
                # Bought "by preference": the ranking the quote was made with.
                ranking, preferred = quote["preference"], quote.get("preferred_carrier")
            else:
                ranking, preferred = await preference_for(
                    uow, shipment, data.preference, data.preferred_carrier
                )
            rate = choose_rate(
                quoted_rates(quote.get("rates", [])),
                carrier=data.carrier,
                service=data.service,
                preference=ranking,
                preferred_carrier=preferred,
                unranked=quoted_rates(quote.get("unranked", [])),
            )
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
        shipment.updated_at = now
        shipment.updated_by = actor
        purchase = await _purchase(uow, shipment, now, settings)
        await uow.commit()
    return purchase


def _same_offer(stored: dict[str, Any] | None, chosen: dict[str, Any]) -> bool:
    keys = ("carrier", "provider", "service")
    return stored is not None and all(stored.get(k) == chosen.get(k) for k in keys)


def _refused(outcome: BaseException) -> bool:
    """Only a carrier's 4xx answer says for sure that no label was sold. Anything else — a
    timeout, a 5xx, a garbled answer, a crash — may hide a sale, so the purchase is retried
    with the same key (until the attempts run out)."""
    return (
        isinstance(outcome, CarrierError)
        and outcome.status is not None
        and (400 <= outcome.status < 500)
    )


async def _attempt(purchase: Purchase, client: httpx.AsyncClient) -> Label | BaseException:
    try:
        gateway = build_gateway(purchase.config, client)
        async with asyncio.timeout(purchase.config.timeout_s):
            return await gateway.buy_label(purchase.facts, purchase.rate, purchase.key)
    except Exception as exc:
        return exc


@retrying
async def _settle(
    uow: UnitOfWork, purchase: Purchase, outcome: Label | BaseException, actor: str
) -> ShipmentView:
    """Record what the carrier answered: the label, a wait for the next retry, or a refusal."""
    now = _now()
    async with uow:
        shipment = await locked_shipment(uow, purchase.shipment_id)
        if shipment.label_status != LabelStatus.PENDING or shipment.label_key != purchase.key:
            return await load_view(uow, shipment)  # another attempt settled it first
        before = audit_image(await load_view(uow, shipment))
        shipment.updated_at = now
        shipment.updated_by = actor
        shipment.label_attempts += 1
        if isinstance(outcome, Label):
            shipment.label_status = LabelStatus.PURCHASED.value
            shipment.label_retry_at = None
            shipment.label_reason = None
            shipment.tracking_number = outcome.tracking_number
            shipment.carrier_shipment_id = outcome.carrier_shipment_id
            shipment.service = outcome.service
            shipment.shipping_cost = outcome.price
            shipment.shipping_currency = outcome.currency
            shipment.label_content_type = outcome.content_type
            shipment.label_document = outcome.document
            shipment.promised_date = purchase.rate.promised_date
            if shipment.tracking_status is None:
                shipment.tracking_status = TrackingStatus.LABEL_CREATED.value
                shipment.tracking_status_at = now
            uow.tracking.add_event(
                ShipmentEvent(
                    shipment_id=shipment.id,
                    status=TrackingStatus.LABEL_CREATED.value,
                    occurred_at=now,
                    description="Label bought.",
                    source="lading",
                    recorded_at=now,
                )
            )
            action, event = "label_purchased", "shipment.label_purchased"
        else:
            failure = failure_of(purchase.config.code, outcome)
            shipment.label_reason = failure["reason"]
            delay = (
                None
                if _refused(outcome)
                else next_retry(shipment.label_attempts - 1, MAX_LABEL_ATTEMPTS)
            )
            if delay is not None:
                shipment.label_retry_at = now + delay
                action, event = "label_pending", "shipment.label_pending"
            else:
                shipment.label_status = LabelStatus.FAILED.value
                shipment.label_retry_at = None
                action, event = "label_failed", "shipment.label_failed"
            log.warning(
                "carrier.label_failed",
                extra={"shipment": shipment.number, "error": failure["reason"], "state": action},
            )
        await uow.flush()
        view = await load_view(uow, shipment)
        record_change(
            uow, actor, "shipment", shipment.id, action, before, audit_image(view), event=event
        )
        await uow.commit()
    return view


async def buy_label(
    uow: UnitOfWork,
    client: httpx.AsyncClient,
    shipment_id: uuid.UUID,
    data: LabelRequest,
    actor: str,
    settings: Settings,
) -> ShipmentView:
    """Buy the label (or finish a pending purchase); the view says purchased, pending (with
    the reason, the worker retries) or failed (with the carrier's reason)."""
    started = await _start_purchase(uow, shipment_id, data, actor, settings)
    if isinstance(started, ShipmentView):
        return started
    outcome = await _attempt(started, client)
    return await _settle(uow, started, outcome, actor)


@retrying
async def _take_due(
    uow: UnitOfWork, shipment_id: uuid.UUID, now: datetime, settings: Settings
) -> Purchase | None:
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        due = (
            shipment.label_status == LabelStatus.PENDING
            and shipment.label_retry_at is not None
            and shipment.label_retry_at <= now
        )
        if not due:
            return None
        purchase = await _purchase(uow, shipment, now, settings)
        await uow.commit()
    return purchase


async def retry_pending_labels(
    uow_factory: Callable[[], UnitOfWork],
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    actor: str,
    limit: int = 20,
) -> int:
    """The worker's turn: retry each pending purchase whose time has come (same key)."""
    now = _now()
    uow = uow_factory()
    async with uow:
        due = await uow.shipments.labels_due(now, limit)
    retried = 0
    for shipment_id in due:
        purchase = await _take_due(uow_factory(), shipment_id, now, settings)
        if purchase is None:
            continue
        outcome = await _attempt(purchase, client)
        await _settle(uow_factory(), purchase, outcome, actor)
        retried += 1
    return retried


@retrying
async def _void(
    uow: UnitOfWork, shipment_id: uuid.UUID, tracking_number: str, actor: str
) -> ShipmentView:
    """Forget a label the carrier voided: the shipment can be labelled afresh (a new rate
    gets a new key; the voided label's later tracking events match nothing)."""
    now = _now()
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        if shipment.tracking_number != tracking_number:
            return await load_view(uow, shipment)  # already voided meanwhile
        before = audit_image(await load_view(uow, shipment))
        shipment.label_status = LabelStatus.NONE.value
        for column in VOIDED_COLUMNS:
            setattr(shipment, column, None)
        shipment.label_attempts = 0
        shipment.updated_at = now
        shipment.updated_by = actor
        await uow.flush()
        view = await load_view(uow, shipment)
        record_change(
            uow,
            actor,
            "shipment",
            shipment.id,
            "label_cancelled",
            before,
            audit_image(view) | {"cancelled_tracking_number": tracking_number},
            event="shipment.label_cancelled",
        )
        await uow.commit()
    return view


VOIDED_COLUMNS = (
    "label_key",
    "label_rate",
    "label_retry_at",
    "label_reason",
    "tracking_number",
    "carrier_shipment_id",
    "service",
    "shipping_cost",
    "shipping_currency",
    "promised_date",
    "label_content_type",
    "label_document",
    "tracking_status",
    "tracking_status_at",
)


async def cancel_label(
    uow: UnitOfWork, client: httpx.AsyncClient, shipment_id: uuid.UUID, actor: str
) -> ShipmentView:
    """Void the bought label at the carrier (outside any transaction), then forget it. A
    carrier that refuses answers 409 ``label_not_cancellable``; one that cannot be reached 503
    ``carrier_unavailable``; either way the label stays as it was."""
    async with uow:
        shipment = await uow.shipments.get(shipment_id)
        if shipment is None:
            raise NotFound(f"No shipment with id {shipment_id}.")
        check_can_cancel_label(shipment.status, shipment.label_status)
        assert shipment.label_rate is not None and shipment.tracking_number is not None
        carrier = await uow.carriers.get_by_code(shipment.label_rate["carrier"])
        if carrier is None:
            raise NotFound(f"Carrier {shipment.label_rate['carrier']} no longer exists.")
        config = config_of(carrier)
        label = Label(
            carrier_code=shipment.label_rate.get("provider") or carrier.code,
            tracking_number=shipment.tracking_number,
            service=shipment.service or "",
            price=shipment.shipping_cost or Decimal(0),
            currency=shipment.shipping_currency or "",
            content_type=shipment.label_content_type or "",
            document=b"",
            shipment_reference=shipment.number,
            carrier_shipment_id=shipment.carrier_shipment_id,
        )
    try:
        async with asyncio.timeout(config.timeout_s):
            await build_gateway(config, client).cancel_label(label)
    except Exception as exc:
        reason = failure_of(config.code, exc)["reason"]
        issues = carrier_issues(exc)
        if _refused(exc):
            raise Conflict(
                f"The carrier refused to cancel the label: {reason}",
                code="label_not_cancellable",
                issues=issues,
            ) from exc
        raise CarrierUnavailable(
            f"The carrier could not cancel the label now: {reason}", issues=issues
        ) from exc
    return await _void(uow, shipment_id, label.tracking_number, actor)


async def label_document(uow: UnitOfWork, shipment_id: uuid.UUID) -> tuple[str, bytes]:
    """The label's content type and bytes; 404 until it is bought."""
    async with uow:
        found = await uow.shipments.label_of(shipment_id)
    if found is None:
        raise NotFound(f"Shipment {shipment_id} has no label.")
    return found
