"""What shipments do when something happens elsewhere (the bus's table in app/bootstrap.py)."""

from __future__ import annotations

import uuid

from app.domain.errors import InvalidState
from app.domain.events import CarrierReportedDelivery, RouteStarted
from app.services.bus import Context
from app.services.shipments.confirm import Departure, ship
from app.services.shipments.deliver import Handover, record_delivery
from app.services.shipments.views import locked_shipment
from app.services.unit_of_work import UnitOfWork


async def on_carrier_reported_delivery(
    event: CarrierReportedDelivery, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: a carrier's tracking says the goods were delivered (the tracking use case
    holds the shipment's lock)."""
    shipment = await uow.shipments.get(event.entity_uuid)
    assert shipment is not None
    await record_delivery(uow, shipment, event.actor, Handover(delivered_at=event.delivered_at))


async def on_route_started(event: RouteStarted, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: an own-fleet route left the depot, so each of its shipments is confirmed
    (in id order, the lock order); one not verified yet refuses the start."""
    departure = Departure(event.actor, event.started_at, event.vehicle_plate, event.driver)
    for shipment_id in event.shipment_ids:
        shipment = await locked_shipment(uow, uuid.UUID(shipment_id))
        try:
            await ship(uow, shipment, departure)
        except InvalidState as exc:
            raise InvalidState(f"{shipment.number}: {exc.detail}", code=exc.code) from exc
