"""Tracking use cases (物流跟踪): carriers' signed webhooks, kept once each in an inbox; polling
of carriers that send none; a shipment's timeline; the public tracking page.

Every way in ends in :func:`apply_events`: new events join the timeline, the tracking status
follows the latest event by event time (``app.domain.tracking``) and never moves backwards,
events that need someone raise ``shipment.alert``, and a ``delivered`` event delivers a shipped
shipment. Carriers are only ever called (and webhooks verified) outside a transaction."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx

from app.adapters.carriers.base import CarrierError, TrackingEvent, WebhookEvent
from app.adapters.carriers.registry import (
    HTTP_KINDS,
    CarrierConfig,
    accepts_webhooks,
    api_secrets,
    build_gateway,
)
from app.domain.errors import BadSignature, MalformedRequest, NotFound
from app.domain.events import CarrierReportedDelivery
from app.domain.shipments import ShipmentStatus
from app.domain.text import nul_issues
from app.domain.tracking import (
    FINAL,
    Observed,
    TrackingChange,
    TrackingStatus,
    same_carrier_shipment,
    take_events,
)
from app.repositories.carriers import Carrier
from app.repositories.shipments import Shipment, ShipmentEvent
from app.repositories.tracking import PollTarget
from app.services.common import retrying
from app.services.recording import jsonable, record_change
from app.services.shipments.carriers import config_of
from app.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

WEBHOOK = "webhook"
POLL = "poll"
POLL_BATCH = 50


ReceiptStatus = Literal["accepted", "duplicate", "ignored"]


@dataclass(frozen=True)
class WebhookOutcome:
    status: ReceiptStatus
    events: int  # timeline events stored by this delivery


@dataclass(frozen=True)
class TrackingView:
    shipment: Shipment
    carrier: Carrier | None
    events: list[ShipmentEvent]


def carrier_actor(carrier_code: str) -> str:
    return f"carrier:{carrier_code}"


def _observed(status: str, at: datetime) -> Observed:
    return Observed(TrackingStatus(status), at.astimezone(UTC))


def _current(shipment: Shipment) -> Observed | None:
    if shipment.tracking_status is None or shipment.tracking_status_at is None:
        return None
    return _observed(shipment.tracking_status, shipment.tracking_status_at)


def _state(shipment: Shipment) -> dict[str, Any]:
    return {
        "tracking_status": shipment.tracking_status,
        "tracking_status_at": shipment.tracking_status_at,
    }


def _event_image(event: Observed, description: str) -> dict[str, Any]:
    return {"status": event.status.value, "occurred_at": event.at, "description": description}


async def _payload(uow: UnitOfWork, shipment: Shipment) -> dict[str, Any]:
    """Who and what a tracking notification or alert is about."""
    order = await uow.orders.get(shipment.order_id)
    carrier = await uow.carriers.get(shipment.carrier_id) if shipment.carrier_id else None
    assert order is not None
    return {
        "shipment_id": shipment.id,
        "shipment_number": shipment.number,
        "order_id": order.id,
        "order_number": order.number,
        "customer_code": order.customer_code,
        "customer_name": order.customer_name,
        "carrier": carrier.code if carrier else None,
        "carrier_name": carrier.name if carrier else None,
        "tracking_number": shipment.tracking_number,
    }


async def apply_events(
    uow: UnitOfWork,
    shipment: Shipment,
    events: Sequence[TrackingEvent],
    *,
    source: str,
    actor: str,
    now: datetime,
) -> int:
    """Add the carrier's ``events`` to the shipment's timeline (those already there are
    ignored) and move its tracking status by event time, never backwards; audit it, emit
    ``shipment.tracking_updated`` when the status changed and ``shipment.alert`` for each new
    event that needs someone; a ``delivered`` status delivers a shipped shipment. The caller
    holds the shipment's lock and commits. Returns how many events were new."""
    descriptions: dict[Observed, str] = {}
    for event in events:
        descriptions.setdefault(_observed(event.status, event.occurred_at), event.description)
    stored = [_observed(x.status, x.occurred_at) for x in await uow.tracking.timeline(shipment.id)]
    change: TrackingChange = take_events(_current(shipment), stored, list(descriptions))
    if not change.new:
        return 0
    for observed in change.new:
        uow.tracking.add_event(
            ShipmentEvent(
                id=uuid.uuid4(),
                shipment_id=shipment.id,
                status=observed.status.value,
                occurred_at=observed.at,
                description=descriptions[observed],
                source=source,
                recorded_at=now,
            )
        )
    before = _state(shipment)
    if change.changed and change.after is not None:
        shipment.tracking_status = change.after.status.value
        shipment.tracking_status_at = change.after.at
    shipment.tracked_at = now
    shipment.updated_at = now
    shipment.updated_by = actor
    await uow.flush()
    new = [_event_image(x, descriptions[x]) for x in change.new]
    payload = await _payload(uow, shipment)
    record_change(
        uow,
        actor,
        "shipment",
        shipment.id,
        "tracking_updated",
        jsonable(before),
        jsonable({**_state(shipment), "source": source, "events": new}),
        event="shipment.tracking_updated" if change.changed else None,
        payload={
            **payload,
            "status": shipment.tracking_status,
            "status_at": shipment.tracking_status_at,
            "previous_status": before["tracking_status"],
            "promised_date": shipment.promised_date,
            # The customer's link to the public tracking page (GET /api/v1/track/{token}).
            "tracking_token": shipment.tracking_token,
            "events": new,
        },
    )
    for alert in change.alerts:
        details = {**payload, **_event_image(alert, descriptions[alert])}
        record_change(
            uow,
            actor,
            "shipment",
            shipment.id,
            "tracking_alert",
            None,
            jsonable(details),
            event="shipment.alert",
            payload=details,
        )
    if change.delivered and change.after and shipment.status == ShipmentStatus.SHIPPED:
        # The delivery is recorded on the shipment and its order by a reaction.
        uow.record(
            CarrierReportedDelivery(
                actor=actor, entity_id=shipment.id, delivered_at=change.after.at
            )
        )
    return len(change.new)


async def _verified(
    config: CarrierConfig,
    client: httpx.AsyncClient,
    headers: Mapping[str, str],
    raw_body: bytes,
) -> WebhookEvent:
    """The delivery's id and events, once its signature checks out (no transaction open)."""
    try:
        if not api_secrets(config).webhook_secret:
            raise CarrierError(f"Carrier {config.code} has no webhook secret configured.")
        return await build_gateway(config, client).verify_webhook(headers, raw_body)
    except CarrierError as exc:
        log.warning(
            "tracking.webhook_refused",
            extra={"carrier": config.code, "status": exc.status, "reason": str(exc)},
        )
        if exc.status is None or exc.status == 401:
            raise BadSignature(f"The webhook was refused: {exc}") from exc
        raise MalformedRequest(f"The webhook body is malformed: {exc}") from exc


@retrying
async def _take_webhook(
    uow: UnitOfWork,
    carrier_id: uuid.UUID,
    carrier_code: str,
    webhook: WebhookEvent,
    now: datetime,
) -> WebhookOutcome:
    actor = carrier_actor(carrier_code)
    async with uow:
        if not await uow.tracking.receive(carrier_code, webhook.event_id, now):
            return WebhookOutcome("duplicate", 0)
        if not webhook.tracking:
            # Carriers send every event type to every webhook (EasyPost: batch.created,
            # refund.successful, ...) and disable an endpoint that keeps refusing them: it is
            # kept as ignored and answered 200.
            outcome = f"ignored_event_type:{webhook.topic or 'unknown'}"
            await uow.tracking.settle(carrier_code, webhook.event_id, outcome)
            await uow.commit()
            log.info(
                "tracking.webhook_ignored",
                extra={
                    "carrier": carrier_code,
                    "event_id": webhook.event_id,
                    "topic": webhook.topic,
                },
            )
            return WebhookOutcome("ignored", 0)
        numbers = {e.tracking_number for e in webhook.events}
        shipments = await uow.tracking.shipments_for_update(carrier_id, numbers)
        stored = 0
        matched = False
        for shipment in shipments:
            mine = [
                e
                for e in webhook.events
                if e.tracking_number == shipment.tracking_number
                and same_carrier_shipment(e.carrier_shipment_id, shipment.carrier_shipment_id)
            ]
            matched = matched or bool(mine)
            stored += await apply_events(uow, shipment, mine, source=WEBHOOK, actor=actor, now=now)
        status: ReceiptStatus = "accepted"
        outcome = "accepted" if numbers else "no_events"
        if numbers and not shipments:
            # Kept, and answered 200, so that the carrier stops sending it.
            outcome, status = "unknown_tracking_number", "ignored"
        elif numbers and not matched:
            # A tracker of the same code that is not the label's (EasyPost makes another
            # when a label is insured or tracked on its own).
            outcome, status = "other_carrier_shipment", "ignored"
        await uow.tracking.settle(carrier_code, webhook.event_id, outcome)
        await uow.commit()
    log.info(
        "tracking.webhook_received",
        extra={"carrier": carrier_code, "event_id": webhook.event_id, "outcome": outcome},
    )
    return WebhookOutcome(status, stored)


async def receive_webhook(
    uow: UnitOfWork,
    client: httpx.AsyncClient,
    carrier_code: str,
    headers: Mapping[str, str],
    raw_body: bytes,
    now: datetime,
) -> WebhookOutcome:
    """A carrier's tracking webhook: verified (401 ``bad_signature``, 400 when malformed),
    then processed at most once per (carrier, event id) — a repeat answers ``duplicate``."""
    async with uow:
        carrier = await uow.carriers.get_by_code(carrier_code)
        if carrier is None or not carrier.active or not accepts_webhooks(carrier.adapter_kind):
            raise NotFound(f"No active carrier '{carrier_code}' sends tracking webhooks here.")
        carrier_id = carrier.id
        config = config_of(carrier)
    webhook = await _verified(config, client, headers, raw_body)
    if issues := nul_issues(asdict(webhook), ("body",)):
        raise MalformedRequest("The webhook's text holds NUL characters.", issues=issues)
    return await _take_webhook(uow, carrier_id, config.code, webhook, now)


@retrying
async def _take_polled(
    uow: UnitOfWork,
    target: PollTarget,
    carrier_code: str,
    events: list[TrackingEvent],
    now: datetime,
) -> int:
    async with uow:
        shipment = await uow.shipments.get_for_update(target.shipment_id)
        if (
            shipment is None
            or shipment.carrier_id != target.carrier_id
            or shipment.tracking_number != target.tracking_number
        ):
            return 0  # relabelled meanwhile; the next poll asks about the new number
        stored = await apply_events(
            uow, shipment, events, source=POLL, actor=carrier_actor(carrier_code), now=now
        )
        await uow.commit()
    return stored


async def _poll_carrier(
    uow_factory: Callable[[], UnitOfWork],
    client: httpx.AsyncClient,
    config: CarrierConfig,
    targets: list[PollTarget],
    now: datetime,
) -> None:
    """Ask one carrier about its claimed shipments, one after the other. A carrier that is down
    (timeout, 5xx) is not asked about the rest this round: they were claimed, so they come
    back after the interval like the others."""
    try:
        gateway = build_gateway(config, client)
    except CarrierError as exc:
        log.warning("tracking.poll_failed", extra={"carrier": config.code, "error": str(exc)})
        return
    for target in targets:
        try:
            events = await gateway.track(target.tracking_number, target.carrier_shipment_id)
        except CarrierError as exc:
            log.warning(
                "tracking.poll_failed",
                extra={
                    "carrier": config.code,
                    "shipment_id": str(target.shipment_id),
                    "status": exc.status,
                    "error": str(exc),
                },
            )
            if exc.retryable:
                return
            continue
        try:
            await _take_polled(uow_factory(), target, config.code, events, now)
        except Exception:  # one shipment's failure must not stop the others' polling
            log.exception(
                "tracking.apply_failed",
                extra={"carrier": config.code, "shipment_id": str(target.shipment_id)},
            )


async def poll_tracking(
    uow_factory: Callable[[], UnitOfWork],
    client: httpx.AsyncClient,
    *,
    now: datetime,
    interval: timedelta,
    batch: int = POLL_BATCH,
) -> int:
    """Poll the carriers that send no webhooks about their shipped, not yet final shipments
    last tracked more than ``interval`` ago; returns how many shipments were polled. Each is
    claimed first (its ``tracked_at`` moves on whatever the carrier answers), asked outside any
    transaction, then its events are applied in a transaction of its own."""
    uow = uow_factory()
    async with uow:
        targets = await uow.tracking.claim_for_polling(
            status=ShipmentStatus.SHIPPED.value,
            adapter_kinds=HTTP_KINDS,
            final_statuses=[s.value for s in FINAL],
            due_before=now - interval,
            now=now,
            limit=batch,
        )
        configs: dict[uuid.UUID, CarrierConfig] = {}
        for carrier_id in sorted({t.carrier_id for t in targets}, key=str):
            carrier = await uow.carriers.get(carrier_id)
            assert carrier is not None
            configs[carrier_id] = config_of(carrier)
        await uow.commit()
    for carrier_id, config in configs.items():
        mine = [t for t in targets if t.carrier_id == carrier_id]
        await _poll_carrier(uow_factory, client, config, mine, now)
    if targets:
        log.info("tracking.polled", extra={"shipments": len(targets), "carriers": len(configs)})
    return len(targets)


def _timeline_order(events: list[ShipmentEvent]) -> list[ShipmentEvent]:
    """Oldest first; events at the same moment by how far along they are (as the status)."""
    return sorted(events, key=lambda x: (_observed(x.status, x.occurred_at).key(), x.recorded_at))


async def _view(uow: UnitOfWork, shipment: Shipment) -> TrackingView:
    carrier = await uow.carriers.get(shipment.carrier_id) if shipment.carrier_id else None
    events = _timeline_order(await uow.tracking.timeline(shipment.id))
    return TrackingView(shipment, carrier, events)


async def shipment_tracking(uow: UnitOfWork, shipment_id: uuid.UUID) -> TrackingView:
    async with uow:
        shipment = await uow.shipments.get(shipment_id)
        if shipment is None:
            raise NotFound(f"No shipment with id {shipment_id}.")
        return await _view(uow, shipment)


async def public_tracking(uow: UnitOfWork, token: str) -> TrackingView:
    """The shipment whose tracking token this is (exact match on the unique column)."""
    async with uow:
        shipment = await uow.tracking.by_token(token)
        if shipment is None:
            raise NotFound("No shipment has this tracking link.")
        return await _view(uow, shipment)
