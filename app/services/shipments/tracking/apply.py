"""Applying a carrier's tracking events to a shipment, whichever way they came in."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from app.adapters.carriers.base import TrackingEvent
from app.domain.events import CarrierReportedDelivery, TrackingAlerted, TrackingUpdated
from app.domain.shipments import ShipmentStatus
from app.domain.tracking import Observed, TrackingChange, TrackingStatus, take_events
from app.repositories.base import jsonable
from app.repositories.shipments import Shipment, ShipmentEvent
from app.services.unit_of_work import UnitOfWork

WEBHOOK = "webhook"
POLL = "poll"


def carrier_actor(carrier_code: str) -> str:
    return f"carrier:{carrier_code}"


def observed(status: str, at: datetime) -> Observed:
    return Observed(TrackingStatus(status), at.astimezone(UTC))


def _current(shipment: Shipment) -> Observed | None:
    if shipment.tracking_status is None or shipment.tracking_status_at is None:
        return None
    return observed(shipment.tracking_status, shipment.tracking_status_at)


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
        descriptions.setdefault(observed(event.status, event.occurred_at), event.description)
    stored = [observed(x.status, x.occurred_at) for x in await uow.tracking.timeline(shipment.id)]
    change: TrackingChange = take_events(_current(shipment), stored, list(descriptions))
    if not change.new:
        return 0
    _add_to_timeline(uow, shipment, change, descriptions, source, now)
    before = _state(shipment)
    if change.changed and change.after is not None:
        shipment.tracking_status = change.after.status.value
        shipment.tracking_status_at = change.after.at
    shipment.tracked_at = now
    shipment.updated_at = now
    shipment.updated_by = actor
    await uow.flush()
    await _record(uow, shipment, change, descriptions, before, source=source, actor=actor)
    if change.delivered and change.after and shipment.status == ShipmentStatus.SHIPPED:
        # The delivery is recorded on the shipment and its order by a reaction.
        uow.record(
            CarrierReportedDelivery(
                actor=actor, entity_id=shipment.id, delivered_at=change.after.at
            )
        )
    return len(change.new)


def _add_to_timeline(
    uow: UnitOfWork,
    shipment: Shipment,
    change: TrackingChange,
    descriptions: dict[Observed, str],
    source: str,
    now: datetime,
) -> None:
    for new in change.new:
        uow.tracking.add_event(
            ShipmentEvent(
                id=uuid.uuid4(),
                shipment_id=shipment.id,
                status=new.status.value,
                occurred_at=new.at,
                description=descriptions[new],
                source=source,
                recorded_at=now,
            )
        )


async def _record(
    uow: UnitOfWork,
    shipment: Shipment,
    change: TrackingChange,
    descriptions: dict[Observed, str],
    before: dict[str, Any],
    *,
    source: str,
    actor: str,
) -> None:
    """The update (its outbox row only when the status changed) and one alert per new event
    that needs someone."""
    new = [_event_image(x, descriptions[x]) for x in change.new]
    payload = await _payload(uow, shipment)
    uow.record(
        TrackingUpdated(
            actor=actor,
            entity_id=shipment.id,
            topic=TrackingUpdated.topic if change.changed else None,
            before=jsonable(before),
            after=jsonable({**_state(shipment), "source": source, "events": new}),
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
    )
    for alert in change.alerts:
        details = {**payload, **_event_image(alert, descriptions[alert])}
        uow.record(
            TrackingAlerted(
                actor=actor, entity_id=shipment.id, after=jsonable(details), payload=details
            )
        )
