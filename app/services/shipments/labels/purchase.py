"""One purchase of a label, as the request and the worker's retry both make it: lease the
pending purchase (its stored rate and key), ask the carrier outside any transaction, settle
what it answered."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from app.adapters.carriers.base import CarrierError, Label, Rate, ShipmentFacts
from app.adapters.carriers.registry import CarrierConfig, build_gateway
from app.domain.errors import NotFound
from app.domain.events import LabelFailed, LabelPending, LabelPurchased
from app.domain.retry import next_retry
from app.domain.shipments import LabelStatus
from app.domain.tracking import TrackingStatus
from app.repositories.shipments import Shipment, ShipmentEvent
from app.services.common import retrying
from app.services.shipments.carriers.terms import config_of
from app.services.shipments.rates.facts import failure_of, shipment_facts
from app.services.shipments.views import ShipmentView, audit_image, load_view, locked_shipment
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

log = logging.getLogger(__name__)

# A purchase in flight holds the shipment this long; past it (the process died) the worker
# takes the purchase over with the same key.
PURCHASE_LEASE = timedelta(minutes=2)
MAX_LABEL_ATTEMPTS = 8

LabelOutcome = type[LabelPurchased] | type[LabelPending] | type[LabelFailed]


def now_utc() -> datetime:
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


async def lease(uow: UnitOfWork, shipment: Shipment, now: datetime, settings: Settings) -> Purchase:
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


def refused(outcome: BaseException) -> bool:
    """Only a carrier's 4xx answer says for sure that no label was sold. Anything else — a
    timeout, a 5xx, a garbled answer, a crash — may hide a sale, so the purchase is retried
    with the same key (until the attempts run out)."""
    return (
        isinstance(outcome, CarrierError)
        and outcome.status is not None
        and (400 <= outcome.status < 500)
    )


async def attempt(purchase: Purchase, client: httpx.AsyncClient) -> Label | BaseException:
    try:
        gateway = build_gateway(purchase.config, client)
        async with asyncio.timeout(purchase.config.timeout_s):
            return await gateway.buy_label(purchase.facts, purchase.rate, purchase.key)
    except Exception as exc:
        return exc


def _bought(
    uow: UnitOfWork, shipment: Shipment, purchase: Purchase, label: Label, now: datetime
) -> None:
    """Keep the label on the shipment and start its timeline."""
    shipment.label_status = LabelStatus.PURCHASED.value
    shipment.label_retry_at = None
    shipment.label_reason = None
    shipment.tracking_number = label.tracking_number
    shipment.carrier_shipment_id = label.carrier_shipment_id
    shipment.service = label.service
    shipment.shipping_cost = label.price
    shipment.shipping_currency = label.currency
    shipment.label_content_type = label.content_type
    shipment.label_document = label.document
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


def _not_bought(
    shipment: Shipment, purchase: Purchase, outcome: BaseException, now: datetime
) -> LabelOutcome:
    """A wait for the next retry, or (refused, or out of attempts) a failed label."""
    failure = failure_of(purchase.config.code, outcome)
    shipment.label_reason = failure["reason"]
    delay = (
        None if refused(outcome) else next_retry(shipment.label_attempts - 1, MAX_LABEL_ATTEMPTS)
    )
    event: LabelOutcome
    if delay is not None:
        shipment.label_retry_at = now + delay
        event = LabelPending
    else:
        shipment.label_status = LabelStatus.FAILED.value
        shipment.label_retry_at = None
        event = LabelFailed
    log.warning(
        "carrier.label_failed",
        extra={"shipment": shipment.number, "error": failure["reason"], "state": event.action},
    )
    return event


@retrying
async def settle(
    uow: UnitOfWork, purchase: Purchase, outcome: Label | BaseException, actor: str
) -> ShipmentView:
    """Record what the carrier answered: the label, a wait for the next retry, or a refusal."""
    now = now_utc()
    async with uow:
        shipment = await locked_shipment(uow, purchase.shipment_id)
        if shipment.label_status != LabelStatus.PENDING or shipment.label_key != purchase.key:
            return await load_view(uow, shipment)  # another attempt settled it first
        before = audit_image(await load_view(uow, shipment))
        shipment.updated_at = now
        shipment.updated_by = actor
        shipment.label_attempts += 1
        event: LabelOutcome = LabelPurchased
        if isinstance(outcome, Label):
            _bought(uow, shipment, purchase, outcome, now)
        else:
            event = _not_bought(shipment, purchase, outcome, now)
        await uow.flush()
        view = await load_view(uow, shipment)
        uow.record(
            event(actor=actor, entity_id=shipment.id, before=before, after=audit_image(view))
        )
        await uow.commit()
    return view
