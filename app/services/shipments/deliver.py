"""Record a delivery: the own fleet (or a table-rate courier) handed the goods over, or a
carrier's tracking said so (``reactions``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain import order_lines as lines_domain
from app.domain.events import OrderDelivered, ShipmentDelivered
from app.domain.shipments import ShipmentStatus, check_can_deliver, hands_over_itself
from app.repositories.base import snapshot
from app.repositories.shipments import Shipment
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.commands import DeliverShipment
from app.services.shipments.views import (
    ShipmentView,
    audit_image,
    load_view,
    locked_shipment,
    notification,
    utcnow,
)
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class Handover:
    """How the goods were handed over: when, and the proof (own fleet only)."""

    delivered_at: datetime
    receiver_name: str | None = None
    signature: str | None = None
    photo: tuple[str, str] | None = None


@retrying
async def deliver_shipment(cmd: DeliverShipment, uow: UnitOfWork, ctx: Context) -> ShipmentView:
    """The own fleet (or a table-rate courier) handed the goods over."""
    async with uow:
        shipment = await locked_shipment(uow, cmd.shipment_id)
        carrier = await uow.carriers.get(shipment.carrier_id) if shipment.carrier_id else None
        check_can_deliver(
            shipment.status, hands_over_itself(carrier.adapter_kind if carrier else None)
        )
        handover = Handover(
            delivered_at=cmd.delivered_at or utcnow(),
            receiver_name=cmd.receiver_name,
            signature=cmd.signature,
            photo=cmd.photo,
        )
        view = await record_delivery(uow, shipment, cmd.principal.actor, handover)
        await uow.commit()
    return view


async def record_delivery(
    uow: UnitOfWork, shipment: Shipment, actor: str, handover: Handover
) -> ShipmentView:
    """The goods were handed over (own fleet, or a carrier's ``delivered`` event): raise the
    lines' delivered quantities, refresh the order's statuses, emit ``order.delivered``. The
    caller holds the shipment's lock and commits."""
    view = await load_view(uow, shipment)
    before = audit_image(view)
    order = await uow.orders.get_for_update(shipment.order_id)
    assert order is not None
    order_before = snapshot(order)
    order_lines = await uow.orders.lines(order.id)
    lines_domain.deliver(order, order_lines, [(x.order_line_id, x.quantity) for x in view.lines])
    now = utcnow()
    order.updated_at = now
    order.updated_by = actor
    _hand_over(shipment, handover, actor)
    shipment.updated_at = now
    shipment.updated_by = actor
    await uow.flush()
    view = await load_view(uow, shipment)
    uow.record(
        ShipmentDelivered(
            actor=actor, entity_id=shipment.id, before=before, after=audit_image(view)
        )
    )
    uow.record(
        OrderDelivered(
            actor=actor,
            entity_id=order.id,
            before=order_before,
            after=snapshot(order),
            payload=notification(view),
        )
    )
    return view


def _hand_over(shipment: Shipment, handover: Handover, actor: str) -> None:
    shipment.status = ShipmentStatus.DELIVERED.value
    shipment.delivered_at = handover.delivered_at
    shipment.delivered_by = actor
    shipment.receiver_name = handover.receiver_name
    shipment.signature = handover.signature
    if handover.photo is not None:
        shipment.photo, shipment.photo_content_type = handover.photo
