"""Shipment use cases (发货单): create one from what was picked for an order, verify it by
scanning, confirm it (发货确认: the reservations are consumed and the stock issued, in one
transaction) and, for the own fleet, record the delivery. Every change writes its audit event
and its outbox event in the same transaction."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from decimal import Decimal

from app.domain import order_lines as lines_domain
from app.domain.auth import Principal
from app.domain.errors import (
    InsufficientStock,
    InvalidState,
    NotFound,
    RuleViolation,
    UnknownReference,
)
from app.domain.events import CarrierReportedDelivery
from app.domain.orders import OrderStatus
from app.domain.picking import PickListStatus
from app.domain.shipments import (
    DEPARTED,
    Quantity,
    ShipmentStatus,
    check_can_confirm,
    check_can_deliver,
    check_can_verify,
    check_packages,
    check_ship_lines,
    check_verification,
    default_lines,
    format_shipment_number,
    hands_over_itself,
    needs_label,
)
from app.domain.stock import MovementKind
from app.domain.tracking import TrackingStatus
from app.repositories.orders import OrderLine
from app.repositories.pagination import PageResult
from app.repositories.shipments import Shipment, ShipmentFilters, ShipmentLine, ShipmentPackage
from app.repositories.warehouses import Warehouse
from app.schemas.shipments import ShipmentConfirm, ShipmentCreate, ShipmentDeliver, ShipmentVerify
from app.services.bus import Context
from app.services.common import retrying
from app.services.recording import record_change, snapshot
from app.services.shipments.views import (
    ShipmentView,
    audit_image,
    load_view,
    locked_shipment,
    notification,
    utcnow,
    views_of,
)
from app.services.unit_of_work import UnitOfWork


async def _warehouse_by_code(uow: UnitOfWork, code: str) -> Warehouse:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on("warehouse", "exists", f"No warehouse with code '{code}'.")
    return warehouse


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


@retrying
async def create_shipment(
    uow: UnitOfWork, data: ShipmentCreate, principal: Principal
) -> ShipmentView:
    """A ready shipment of picked goods for one order from one warehouse, packed."""
    async with uow:
        warehouse = await _warehouse_by_code(uow, data.warehouse)
        carrier = None
        if data.carrier is not None:
            carrier = await uow.carriers.get_by_code(data.carrier)
            if carrier is None or not carrier.active:
                raise UnknownReference.on(
                    "carrier", "exists", f"No active carrier with code '{data.carrier}'."
                )
        # The order lock makes two shipments of the same order take turns over its picks.
        order = await uow.orders.get_for_update(data.order_id)
        if order is None:
            raise UnknownReference.on("order_id", "exists", f"No order with id {data.order_id}.")
        if order.status != OrderStatus.APPROVED:
            raise RuleViolation.on(
                "order_id", "approved", f"Order {order.number} is {order.status}, not approved."
            )
        order_lines = await uow.orders.lines(order.id)
        by_sku = {x.sku: x for x in order_lines}
        left = await _available(uow, order.id, warehouse.id, order_lines)
        available = {x.sku: left[x.id] for x in order_lines if x.id in left}
        if data.lines is None:
            lines = default_lines(available)
            if not lines:
                raise RuleViolation.on(
                    "lines",
                    "nothing_to_ship",
                    f"Nothing picked for order {order.number} in {warehouse.code} is left to ship.",
                )
        else:
            lines = [Quantity(x.sku, x.quantity) for x in data.lines]
            check_ship_lines(available, lines)
        check_packages(
            lines, [[Quantity(c.sku, c.quantity) for c in p.contents] for p in data.packages]
        )
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
            created_by=principal.actor,
            updated_by=principal.actor,
            created_at=now,
            updated_at=now,
        )
        uow.shipments.add(shipment)
        for line_no, x in enumerate(lines, start=1):
            order_line = by_sku[x.sku]
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
        for package_no, p in enumerate(data.packages, start=1):
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
        await uow.flush()
        view = await load_view(uow, shipment)
        record_change(
            uow,
            principal.actor,
            "shipment",
            shipment.id,
            "created",
            None,
            audit_image(view),
            event="shipment.created",
        )
        await uow.commit()
    return view


@retrying
async def verify_shipment(
    uow: UnitOfWork, shipment_id: uuid.UUID, data: ShipmentVerify, principal: Principal
) -> ShipmentView:
    """Compare the scanned goods with the shipment lines: 409 listing every difference, or
    the shipment is verified."""
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        check_can_verify(shipment.status)
        view = await load_view(uow, shipment)
        check_verification(
            [Quantity(x.sku, x.quantity) for x in view.lines],
            [Quantity(x.sku, x.quantity) for x in data.lines],
        )
        before = audit_image(view)
        now = utcnow()
        shipment.verified_at = now
        shipment.verified_by = principal.actor
        shipment.updated_at = now
        shipment.updated_by = principal.actor
        await uow.flush()
        view = await load_view(uow, shipment)
        record_change(
            uow,
            principal.actor,
            "shipment",
            shipment.id,
            "verified",
            before,
            audit_image(view),
            event="shipment.verified",
        )
        await uow.commit()
    return view


@retrying
async def confirm_shipment(
    uow: UnitOfWork, shipment_id: uuid.UUID, data: ShipmentConfirm, principal: Principal
) -> ShipmentView:
    """Ship confirmation: consume the order lines' reservations in the warehouse, issue the
    stock, raise the lines' shipped quantities and refresh the order's statuses — all in one
    transaction. Confirming a shipment that already left changes nothing. Locks: the shipment,
    the order, then products, then stock rows (CONTRIBUTING)."""
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
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
        warehouse_id = shipment.warehouse_id
        products = sorted({x.product_id for x in view.lines}, key=str)
        await uow.stock.lock_products(products)
        await uow.reservations.lock_levels([(warehouse_id, p) for p in products])
        order_lines = await uow.orders.lines(order.id)
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
        for x in sorted(view.lines, key=lambda x: str(x.product_id)):
            issued = await uow.stock.move(
                warehouse_id,
                x.product_id,
                -x.quantity,
                kind=MovementKind.ISSUE.value,
                actor=principal.actor,
                reference=shipment.number,
            )
            if issued is None:
                raise InsufficientStock(
                    f"The stock of {x.sku} cannot be issued: it is reserved by other orders.",
                    code="insufficient_stock",
                )
        lines_domain.ship(order, order_lines, [(x.order_line_id, x.quantity) for x in view.lines])
        now = utcnow()
        order.updated_at = now
        order.updated_by = principal.actor
        shipment.status = ShipmentStatus.SHIPPED.value
        shipment.shipped_at = data.shipped_at or now
        shipment.shipped_by = principal.actor
        shipment.vehicle_plate = data.vehicle_plate
        shipment.driver = data.driver
        shipment.updated_at = now
        shipment.updated_by = principal.actor
        await uow.flush()
        view = await load_view(uow, shipment)
        record_change(
            uow, principal.actor, "shipment", shipment.id, "shipped", before, audit_image(view)
        )
        record_change(
            uow,
            principal.actor,
            "order",
            order.id,
            "shipped",
            order_before,
            snapshot(order),
            event="order.shipped",
            payload=notification(view),
        )
        if shipment.tracking_status == TrackingStatus.DELIVERED and shipment.tracking_status_at:
            # The carrier reported the delivery before the warehouse confirmed the shipment.
            view = await record_delivery(
                uow, shipment, principal.actor, delivered_at=shipment.tracking_status_at
            )
        await uow.commit()
    return view


async def on_carrier_reported_delivery(
    event: CarrierReportedDelivery, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: a carrier's tracking says the goods were delivered (the tracking use case
    holds the shipment's lock)."""
    shipment = await uow.shipments.get(event.entity_uuid)
    assert shipment is not None
    await record_delivery(uow, shipment, event.actor, delivered_at=event.delivered_at)


async def record_delivery(
    uow: UnitOfWork,
    shipment: Shipment,
    actor: str,
    *,
    delivered_at: datetime,
    receiver_name: str | None = None,
    signature: str | None = None,
    photo: tuple[str, str] | None = None,
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
    shipment.status = ShipmentStatus.DELIVERED.value
    shipment.delivered_at = delivered_at
    shipment.delivered_by = actor
    shipment.receiver_name = receiver_name
    shipment.signature = signature
    if photo is not None:
        shipment.photo, shipment.photo_content_type = photo
    shipment.updated_at = now
    shipment.updated_by = actor
    await uow.flush()
    view = await load_view(uow, shipment)
    record_change(uow, actor, "shipment", shipment.id, "delivered", before, audit_image(view))
    record_change(
        uow,
        actor,
        "order",
        order.id,
        "delivered",
        order_before,
        snapshot(order),
        event="order.delivered",
        payload=notification(view),
    )
    return view


@retrying
async def deliver_shipment(
    uow: UnitOfWork, shipment_id: uuid.UUID, data: ShipmentDeliver, principal: Principal
) -> ShipmentView:
    """The own fleet (or a table-rate courier) handed the goods over."""
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        carrier = await uow.carriers.get(shipment.carrier_id) if shipment.carrier_id else None
        check_can_deliver(
            shipment.status, hands_over_itself(carrier.adapter_kind if carrier else None)
        )
        view = await record_delivery(
            uow,
            shipment,
            principal.actor,
            delivered_at=data.delivered_at or utcnow(),
            receiver_name=data.receiver_name,
            signature=data.signature,
            photo=(data.photo, data.photo_content_type)
            if data.photo and data.photo_content_type
            else None,
        )
        await uow.commit()
    return view


async def proof_of_delivery(uow: UnitOfWork, shipment_id: uuid.UUID) -> Shipment:
    """The delivered shipment with its signature and photo; 404 before delivery."""
    async with uow:
        shipment = await uow.shipments.proof_of(shipment_id)
    if shipment is None:
        raise NotFound(f"No shipment with id {shipment_id}.")
    if shipment.status != ShipmentStatus.DELIVERED:
        raise NotFound(f"Shipment {shipment.number} is {shipment.status}: not delivered yet.")
    return shipment


async def get_shipment(uow: UnitOfWork, shipment_id: uuid.UUID) -> ShipmentView:
    async with uow:
        shipment = await uow.shipments.get(shipment_id)
        if shipment is None:
            raise NotFound(f"No shipment with id {shipment_id}.")
        return await load_view(uow, shipment)


async def list_shipments(
    uow: UnitOfWork,
    *,
    order_id: uuid.UUID | None,
    warehouse: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[ShipmentView]:
    """Shipments newest first."""
    async with uow:
        warehouse_id = (await _warehouse_by_code(uow, warehouse)).id if warehouse else None
        page = await uow.shipments.page(
            filters=ShipmentFilters(order_id, warehouse_id, status), limit=limit, cursor=cursor
        )
        views = await views_of(uow, page.items)
    return PageResult(views, page.next_cursor)
