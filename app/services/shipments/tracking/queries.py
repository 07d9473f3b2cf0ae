"""Reading a shipment's tracking: its timeline, and the public tracking page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.errors import NotFound
from app.repositories.carriers import Carrier
from app.repositories.shipments import Shipment, ShipmentEvent
from app.services.shipments.tracking.apply import observed
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class TrackingView:
    shipment: Shipment
    carrier: Carrier | None
    events: list[ShipmentEvent]


def _timeline_order(events: list[ShipmentEvent]) -> list[ShipmentEvent]:
    """Oldest first; events at the same moment by how far along they are (as the status)."""
    return sorted(events, key=lambda x: (observed(x.status, x.occurred_at).key(), x.recorded_at))


async def _view(uow: UnitOfWork, shipment: Shipment) -> TrackingView:
    carrier = await uow.carriers.get(shipment.carrier_id) if shipment.carrier_id else None
    events = _timeline_order(await uow.tracking.timeline(shipment.id))
    return TrackingView(shipment, carrier, events)


async def shipment_tracking(uow: UnitOfWork, shipment_id: uuid.UUID) -> TrackingView:
    async with uow:
        shipment = await uow.shipments.get_or_raise(shipment_id)
        return await _view(uow, shipment)


async def public_tracking(uow: UnitOfWork, token: str) -> TrackingView:
    """The shipment whose tracking token this is (exact match on the unique column)."""
    async with uow:
        shipment = await uow.tracking.by_token(token)
        if shipment is None:
            raise NotFound("No shipment has this tracking link.")
        return await _view(uow, shipment)
