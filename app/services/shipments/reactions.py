"""What shipments do when something happens elsewhere (the bus's table in app/bootstrap.py)."""

from __future__ import annotations

from app.domain.events import CarrierReportedDelivery
from app.services.bus import Context
from app.services.shipments.deliver import Handover, record_delivery
from app.services.unit_of_work import UnitOfWork


async def on_carrier_reported_delivery(
    event: CarrierReportedDelivery, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: a carrier's tracking says the goods were delivered (the tracking use case
    holds the shipment's lock)."""
    shipment = await uow.shipments.get(event.entity_uuid)
    assert shipment is not None
    await record_delivery(uow, shipment, event.actor, Handover(delivered_at=event.delivered_at))
