"""Create a ready shipment of picked goods for one order from one warehouse, packed."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from decimal import Decimal

from app.domain.errors import RuleViolation, UnknownReference
from app.domain.events import ShipmentCreated
from app.domain.orders import OrderStatus
from app.domain.picking import PickListStatus
from app.domain.shipments import (
    Quantity,
    ShipmentStatus,
    check_packages,
    check_ship_lines,
    default_lines,
    format_shipment_number,
)
from app.repositories.carriers import Carrier
from app.repositories.orders import Order, OrderLine
from app.repositories.shipments import Shipment, ShipmentLine, ShipmentPackage
from app.repositories.warehouses import Warehouse
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.commands import CreateShipment, Package
from app.services.shipments.views import (
    ShipmentView,
    audit_image,
    load_view,
    utcnow,
    warehouse_by_code,
)
from app.services.unit_of_work import UnitOfWork


@retrying
async def create_shipment(cmd: CreateShipment, uow: UnitOfWork, ctx: Context) -> ShipmentView:
    """A ready shipment of picked goods for one order from one warehouse, packed."""
    async with uow:
        warehouse = await warehouse_by_code(uow, cmd.warehouse)
        carrier = await _active_carrier(uow, cmd.carrier)
        # The order lock makes two shipments of the same order take turns over its picks.
        order = await _approved_order(uow, cmd.order_id)
        order_lines = await uow.orders.lines(order.id)
        lines = await _lines_to_ship(uow, order, warehouse, order_lines, cmd.lines)
        check_packages(lines, [list(p.contents) for p in cmd.packages])
        shipment = await _add_shipment(uow, cmd, order, warehouse, carrier)
        by_sku = {x.sku: x for x in order_lines}
        _add_lines(uow, shipment, [(by_sku[x.sku], x) for x in lines])
        _add_packages(uow, shipment, cmd.packages)
        await uow.flush()
        view = await load_view(uow, shipment)
        uow.record(
            ShipmentCreated(
                actor=cmd.principal.actor, entity_id=shipment.id, after=audit_image(view)
            )
        )
        await uow.commit()
    return view


async def _active_carrier(uow: UnitOfWork, code: str | None) -> Carrier | None:
    if code is None:
        return None
    carrier = await uow.carriers.get_by_code(code)
    if carrier is None or not carrier.active:
        raise UnknownReference.on("carrier", "exists", f"No active carrier with code '{code}'.")
    return carrier


async def _approved_order(uow: UnitOfWork, order_id: uuid.UUID) -> Order:
    order = await uow.orders.get_for_update(order_id)
    if order is None:
        raise UnknownReference.on("order_id", "exists", f"No order with id {order_id}.")
    if order.status != OrderStatus.APPROVED:
        raise RuleViolation.on(
            "order_id", "approved", f"Order {order.number} is {order.status}, not approved."
        )
    return order


async def _lines_to_ship(
    uow: UnitOfWork,
    order: Order,
    warehouse: Warehouse,
    order_lines: list[OrderLine],
    asked: Sequence[Quantity] | None,
) -> list[Quantity]:
    """The lines asked for, checked against what is picked here and not yet shipped; by
    default all of that."""
    left = await _available(uow, order.id, warehouse.id, order_lines)
    available = {x.sku: left[x.id] for x in order_lines if x.id in left}
    if asked is not None:
        lines = list(asked)
        check_ship_lines(available, lines)
        return lines
    lines = default_lines(available)
    if not lines:
        raise RuleViolation.on(
            "lines",
            "nothing_to_ship",
            f"Nothing picked for order {order.number} in {warehouse.code} is left to ship.",
        )
    return lines


async def _available(
    uow: UnitOfWork, order_id: uuid.UUID, warehouse_id: uuid.UUID, lines: list[OrderLine]
) -> dict[uuid.UUID, Decimal]:
    """order line → picked here for the order minus what its shipments from here take."""
    picked = await uow.shipments.picked(order_id, warehouse_id, PickListStatus.PICKED.value)
    taken = await uow.shipments.shipped(warehouse_id, [x.id for x in lines])
    return {
        x.id: picked.get(x.id, Decimal(0)) - taken.get(x.id, Decimal(0))
        for x in lines
        if picked.get(x.id, Decimal(0)) > 0
    }


async def _add_shipment(
    uow: UnitOfWork,
    cmd: CreateShipment,
    order: Order,
    warehouse: Warehouse,
    carrier: Carrier | None,
) -> Shipment:
    now = utcnow()
    shipment = Shipment(
        id=uuid.uuid4(),
        number=format_shipment_number(now.year, await uow.shipments.next_number()),
        order_id=order.id,
        warehouse_id=warehouse.id,
        carrier_id=carrier.id if carrier else None,
        status=ShipmentStatus.READY.value,
        ship_to=order.ship_to,
        tracking_token=secrets.token_urlsafe(24),
        created_by=cmd.principal.actor,
        updated_by=cmd.principal.actor,
        created_at=now,
        updated_at=now,
    )
    uow.shipments.add(shipment)
    return shipment


def _add_lines(
    uow: UnitOfWork, shipment: Shipment, lines: list[tuple[OrderLine, Quantity]]
) -> None:
    for line_no, (order_line, x) in enumerate(lines, start=1):
        uow.shipments.add_line(
            ShipmentLine(
                id=uuid.uuid4(),
                shipment_id=shipment.id,
                line_no=line_no,
                order_line_id=order_line.id,
                product_id=order_line.product_id,
                sku=x.sku,
                name=order_line.name,
                quantity=x.quantity,
            )
        )


def _add_packages(uow: UnitOfWork, shipment: Shipment, packages: Sequence[Package]) -> None:
    for package_no, p in enumerate(packages, start=1):
        uow.shipments.add_package(
            ShipmentPackage(
                id=uuid.uuid4(),
                shipment_id=shipment.id,
                package_no=package_no,
                weight_kg=p.weight_kg,
                length_cm=p.length_cm,
                width_cm=p.width_cm,
                height_cm=p.height_cm,
                contents=[{"sku": c.sku, "quantity": str(c.quantity)} for c in p.contents],
            )
        )
