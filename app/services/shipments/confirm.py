"""Ship confirmation (发货确认): the reservations are consumed, the stock issued and the order
lines shipped, in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.domain import order_lines as lines_domain
from app.domain.errors import InsufficientStock, InvalidState
from app.domain.events import OrderShipped, ShipmentConfirmed
from app.domain.shipments import DEPARTED, ShipmentStatus, check_can_confirm, needs_label
from app.domain.stock import MovementKind
from app.domain.tracking import TrackingStatus
from app.repositories.base import snapshot
from app.repositories.orders import Order
from app.repositories.shipments import Shipment
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.commands import ConfirmShipment
from app.services.shipments.deliver import Handover, record_delivery
from app.services.shipments.views import (
    ShipmentView,
    audit_image,
    load_view,
    locked_shipment,
    notification,
    utcnow,
)
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Departure:
    """Who let the goods go, when, and on which vehicle with which driver."""

    actor: str
    shipped_at: datetime | None = None
    vehicle_plate: str | None = None
    driver: str | None = None


@retrying
async def confirm_shipment(cmd: ConfirmShipment, uow: UnitOfWork, ctx: Context) -> ShipmentView:
    """Ship confirmation of one shipment (see ``ship``)."""
    async with uow:
        shipment = await locked_shipment(uow, cmd.shipment_id)
        departure = Departure(cmd.principal.actor, cmd.shipped_at, cmd.vehicle_plate, cmd.driver)
        view = await ship(uow, shipment, departure)
        await uow.commit()
    return view


async def ship(uow: UnitOfWork, shipment: Shipment, departure: Departure) -> ShipmentView:
    """Consume the order lines' reservations in the warehouse, issue the stock, raise the
    lines' shipped quantities and refresh the order's statuses, in the caller's transaction.
    A shipment that already left changes nothing. Locks: the shipment (the caller's), the
    order, then products, then stock rows (CONTRIBUTING)."""
    actor = departure.actor
    if shipment.status in DEPARTED:
        return await load_view(uow, shipment)
    view = await load_view(uow, shipment)
    check_can_confirm(
        shipment.status,
        shipment.verified_at is not None,
        label_needed=needs_label(view.carrier.adapter_kind if view.carrier else None),
        label_status=shipment.label_status,
    )
    before = audit_image(view)
    order = await uow.orders.get_for_update(shipment.order_id)
    assert order is not None
    order_before = snapshot(order)
    await _take_goods(uow, view, order, actor)
    _mark_shipped(shipment, order, departure)
    await uow.flush()
    view = await load_view(uow, shipment)
    uow.record(
        ShipmentConfirmed(
            actor=actor, entity_id=shipment.id, before=before, after=audit_image(view)
        )
    )
    uow.record(
        OrderShipped(
            actor=actor,
            entity_id=order.id,
            before=order_before,
            after=snapshot(order),
            payload=notification(view),
        )
    )
    if shipment.tracking_status == TrackingStatus.DELIVERED and shipment.tracking_status_at:
        # The carrier reported the delivery before the warehouse confirmed the shipment.
        handover = Handover(delivered_at=shipment.tracking_status_at)
        view = await record_delivery(uow, shipment, actor, handover)
    return view


async def _take_goods(uow: UnitOfWork, view: ShipmentView, order: Order, actor: str) -> None:
    """Consume the reservations, issue the stock and ship the order lines."""
    warehouse_id = view.shipment.warehouse_id
    products = sorted({x.product_id for x in view.lines}, key=str)
    await uow.stock.lock_products(products)
    await uow.reservations.lock_levels([(warehouse_id, p) for p in products])
    order_lines = await uow.orders.lines(order.id)
    await _consume_reservations(uow, view, order, warehouse_id)
    await _issue_stock(uow, view, warehouse_id, actor)
    lines_domain.ship(order, order_lines, [(x.order_line_id, x.quantity) for x in view.lines])


async def _consume_reservations(
    uow: UnitOfWork, view: ShipmentView, order: Order, warehouse_id: uuid.UUID
) -> None:
    reservations = {
        r.order_line_id: r
        for r in await uow.reservations.for_order(order.id)
        if r.warehouse_id == warehouse_id
    }
    for x in view.lines:
        reservation = reservations.get(x.order_line_id)
        consumed = await uow.reservations.release(reservation, x.quantity) if reservation else 0
        if consumed != x.quantity:
            raise InvalidState(
                f"Order {order.number} holds only {consumed} of {x.sku} in this warehouse; "
                f"the shipment carries {x.quantity}.",
                code="reservation_missing",
            )


async def _issue_stock(
    uow: UnitOfWork, view: ShipmentView, warehouse_id: uuid.UUID, actor: str
) -> None:
    for x in sorted(view.lines, key=lambda x: str(x.product_id)):
        issued = await uow.stock.move(
            warehouse_id,
            x.product_id,
            -x.quantity,
            kind=MovementKind.ISSUE.value,
            actor=actor,
            reference=view.shipment.number,
        )
        if issued is None:
            raise InsufficientStock(
                f"The stock of {x.sku} cannot be issued: it is reserved by other orders.",
                code="insufficient_stock",
            )


def _mark_shipped(shipment: Shipment, order: Order, departure: Departure) -> None:
    actor = departure.actor
    now = utcnow()
    order.updated_at = now
    order.updated_by = actor
    shipment.status = ShipmentStatus.SHIPPED.value
    shipment.shipped_at = departure.shipped_at or now
    shipment.shipped_by = actor
    shipment.vehicle_plate = departure.vehicle_plate
    shipment.driver = departure.driver
    shipment.updated_at = now
    shipment.updated_by = actor
