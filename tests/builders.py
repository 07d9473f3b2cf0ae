"""Test data builders: rows in a few lines instead of long HTTP setup chains.

Each builder opens the unit of work it is given (``async with uow``), writes through the
repositories and the domain functions (``app.domain.order_lines`` for line quantities,
``StockRepository.move`` for on-hand stock) and commits — never through HTTP or a use-case
function — and returns the rows, readable after the unit of work closed. Builders record no
domain events (test data has no history), so nothing reacts to them: a test that wants the
business to happen records the event itself (``uow.record(OrderApproved(...))``).

    customer = await a_customer(uow)
    widget = await a_product(uow)
    hz = await a_warehouse(uow)
    await stock(uow, hz, widget, 10)
    placed = await an_approved_order(uow, customer, [(widget, 4)], reserve_in=hz)
    picked = await a_picked_order(uow, customer, hz, [(widget, 4)])
    shipped = await a_shipped_order(uow, customer, hz, [(widget, 4)])
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain import order_lines
from app.domain.orders import OrderStatus, format_order_number
from app.domain.picking import PickListStatus, format_pick_list_number
from app.domain.shipments import ShipmentStatus, format_shipment_number
from app.domain.stock import MovementKind
from app.repositories.customers import Customer
from app.repositories.orders import Order, OrderLine
from app.repositories.picking import PickList, PickListItem, PickListLine
from app.repositories.products import Product
from app.repositories.reservations import Reservation
from app.repositories.shipments import Shipment, ShipmentLine
from app.repositories.stock import StockLevel
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.repositories.warehouses import Warehouse

D = Decimal
ACTOR = "builder"
Quantity = int | str | Decimal
LineSpec = tuple[Product, Quantity]

SHANGHAI: dict[str, Any] = {
    "id": "st-1",
    "is_default": True,
    "country": "CN",
    "region": "上海市",
    "city": "上海市",
    "district": "浦东新区",
    "street": "张江路 88 号",
}


def _token(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def _now() -> datetime:
    return datetime.now(UTC)


# --- master data ----------------------------------------------------------------------------


async def a_customer(uow: SqlAlchemyUnitOfWork, code: str | None = None, **kw: Any) -> Customer:
    values: dict[str, Any] = {
        "code": code or _token("C"),
        "name": "上海华东贸易有限公司",
        "currency": "CNY",
        "credit_limit": D("100000"),
        "tags": [],
        "contacts": [],
        "bill_to": None,
        "ship_to": [SHANGHAI],
        "version": 1,
    } | kw
    async with uow:
        customer = Customer(id=uuid.uuid4(), **values)
        uow.customers.add(customer)
        await uow.commit()
    return customer


async def a_product(uow: SqlAlchemyUnitOfWork, sku: str | None = None, **kw: Any) -> Product:
    values: dict[str, Any] = {
        "sku": sku or _token("SKU"),
        "name": "螺丝刀 Screwdriver",
        "currency": "CNY",
        "list_price": D("10.00"),
        "floor_price": D("6.00"),
        "tax_rate": D("0.13"),
        "uom": "pcs",
        "uom_precision": 0,
        "substitutes": [],
        "version": 1,
    } | kw
    async with uow:
        product = Product(id=uuid.uuid4(), **values)
        uow.products.add(product)
        await uow.commit()
    return product


async def a_warehouse(uow: SqlAlchemyUnitOfWork, code: str | None = None, **kw: Any) -> Warehouse:
    values: dict[str, Any] = {
        "code": code or _token("WH"),
        "name": "Shanghai DC",
        "priority": 100,
        "version": 1,
    } | kw
    async with uow:
        warehouse = Warehouse(id=uuid.uuid4(), **values)
        uow.warehouses.add(warehouse)
        await uow.commit()
    return warehouse


async def stock(
    uow: SqlAlchemyUnitOfWork,
    warehouse: Warehouse,
    product: Product,
    quantity: Quantity,
    *,
    kind: str = MovementKind.RECEIPT.value,
) -> StockLevel:
    """On-hand stock through ``StockRepository.move`` (level and movement together). No
    ``StockArrived`` is recorded: waiting orders are not allocated (record it to have them)."""
    async with uow:
        moved = await uow.stock.move(
            warehouse.id, product.id, D(quantity), kind=kind, actor=ACTOR, reference="builder"
        )
        assert moved is not None, "the stock cannot go below what is reserved"
        await uow.commit()
    return await level(uow, warehouse, product)


async def level(uow: SqlAlchemyUnitOfWork, warehouse: Warehouse, product: Product) -> StockLevel:
    """The stock level of one pair as the database has it now."""
    async with uow:
        row = await uow.stock.get_level(warehouse.id, product.id)
        assert row is not None, "no stock level for this pair"
    return row


# --- orders ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    order: Order
    lines: list[OrderLine]

    @property
    def id(self) -> uuid.UUID:
        return self.order.id


@dataclass(frozen=True)
class Picked(Placed):
    pick_list: PickList
    warehouse: Warehouse


@dataclass(frozen=True)
class Shipped(Picked):
    shipment: Shipment


def _order_row(customer: Customer, number: str, status: str, **kw: Any) -> Order:
    values: dict[str, Any] = {
        "number": number,
        "channel": "manual",
        "external_ref": None,
        "customer_id": customer.id,
        "customer_code": customer.code,
        "customer_name": customer.name,
        "ship_to": dict(customer.ship_to[0]) if customer.ship_to else {},
        "requested_delivery_date": None,
        "currency": customer.currency,
        "status": status,
        "fulfillment_status": "unfulfilled",
        "billing_status": "unbilled",
        "priority": 0,
        "notes": None,
        "discount_percent": D(0),
        "holds": [],
        "pending_approvals": [],
        "gross_before_discount": D(0),
        "discount_total": D(0),
        "net_total": D(0),
        "tax_total": D(0),
        "total": D(0),
        "created_by": ACTOR,
        "updated_by": ACTOR,
        "submitted_at": None if status == OrderStatus.DRAFT else _now(),
        "version": 1,
    } | kw
    return Order(id=uuid.uuid4(), **values)


def _line_row(order: Order, line_no: int, product: Product, quantity: Quantity) -> OrderLine:
    ordered = D(quantity)
    net = (ordered * product.list_price).quantize(D("0.01"))
    tax = (net * product.tax_rate).quantize(D("0.01"))
    return OrderLine(
        id=uuid.uuid4(),
        order_id=order.id,
        line_no=line_no,
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        quantity_ordered=ordered,
        quantity_reserved=D(0),
        quantity_shipped=D(0),
        quantity_delivered=D(0),
        quantity_invoiced=D(0),
        quantity_returned=D(0),
        quantity_credited=D(0),
        unit_price=product.list_price,
        price_source="list",
        below_floor=False,
        discount_percent=D(0),
        tax_rate=product.tax_rate,
        gross_before_discount=net,
        discount=D(0),
        net=net,
        tax=tax,
        total=net + tax,
    )


async def an_order(
    uow: SqlAlchemyUnitOfWork,
    customer: Customer,
    lines: Sequence[LineSpec],
    *,
    status: str = OrderStatus.DRAFT.value,
    **kw: Any,
) -> Placed:
    """An order of ``customer`` with these (product, quantity) lines at list price, in
    ``status`` (a draft by default), nothing reserved."""
    async with uow:
        number = format_order_number(_now().year, await uow.orders.next_number())
        order = _order_row(customer, number, status, **kw)
        uow.orders.add(order)
        rows = [_line_row(order, i, p, q) for i, (p, q) in enumerate(lines, start=1)]
        for row in rows:
            uow.orders.add_line(row)
        _totals(order, rows)
        order_lines.refresh(order, rows)
        await uow.commit()
    return Placed(order, rows)


def _totals(order: Order, lines: list[OrderLine]) -> None:
    order.gross_before_discount = sum((x.gross_before_discount for x in lines), D(0))
    order.net_total = sum((x.net for x in lines), D(0))
    order.tax_total = sum((x.tax for x in lines), D(0))
    order.total = sum((x.total for x in lines), D(0))


async def an_approved_order(
    uow: SqlAlchemyUnitOfWork,
    customer: Customer,
    lines: Sequence[LineSpec],
    *,
    reserve_in: Warehouse | None = None,
    **kw: Any,
) -> Placed:
    """An approved order; with ``reserve_in``, every line fully reserved in that warehouse
    (its stock must be there: see :func:`stock`), as an allocation would leave it."""
    placed = await an_order(uow, customer, lines, status=OrderStatus.APPROVED.value, **kw)
    if reserve_in is None:
        return placed
    async with uow:
        order = await uow.orders.get_for_update_or_raise(placed.id)
        rows = await uow.orders.lines(order.id)
        wanted = [(reserve_in.id, x.product_id, x.quantity_ordered) for x in rows]
        assert await uow.reservations.reserve_stock(wanted), "not enough stock to reserve"
        for x in rows:
            uow.reservations.add_reservation(
                order_id=order.id,
                order_line_id=x.id,
                warehouse_id=reserve_in.id,
                product_id=x.product_id,
                quantity=x.quantity_ordered,
                expires_at=None,
            )
        order_lines.reserve(order, rows, [(x.id, x.quantity_ordered) for x in rows])
        await uow.commit()
    return Placed(order, rows)


async def a_picked_order(
    uow: SqlAlchemyUnitOfWork,
    customer: Customer,
    warehouse: Warehouse,
    lines: Sequence[LineSpec],
    *,
    stocked: bool = True,
    **kw: Any,
) -> Picked:
    """An approved order reserved in ``warehouse`` whose pick list was picked in full. With
    ``stocked`` (the default) the builder first receives the stock it needs."""
    if stocked:
        for product, quantity in lines:
            await stock(uow, warehouse, product, quantity)
    placed = await an_approved_order(uow, customer, lines, reserve_in=warehouse, **kw)
    async with uow:
        number = format_pick_list_number(_now().year, await uow.pick_lists.next_number())
        pick_list = PickList(
            id=uuid.uuid4(),
            number=number,
            warehouse_id=warehouse.id,
            status=PickListStatus.PICKED.value,
            picker=ACTOR,
            created_by=ACTOR,
            updated_by=ACTOR,
            picked_at=_now(),
            version=1,
        )
        uow.pick_lists.add(pick_list)
        await uow.flush()  # no ORM relationships: parents are written before their children
        stops = [_stop(uow, pick_list, n, x) for n, x in enumerate(placed.lines, start=1)]
        await uow.flush()
        for stop, x in zip(stops, placed.lines, strict=True):
            _pick(uow, stop, placed.order, x)
        await uow.commit()
    return Picked(placed.order, placed.lines, pick_list, warehouse)


def _stop(
    uow: SqlAlchemyUnitOfWork, pick_list: PickList, line_no: int, line: OrderLine
) -> PickListLine:
    stop = PickListLine(
        id=uuid.uuid4(),
        pick_list_id=pick_list.id,
        line_no=line_no,
        product_id=line.product_id,
        sku=line.sku,
        quantity=line.quantity_ordered,
        picked=line.quantity_ordered,
    )
    uow.pick_lists.add_line(stop)
    return stop


def _pick(uow: SqlAlchemyUnitOfWork, stop: PickListLine, order: Order, line: OrderLine) -> None:
    uow.pick_lists.add_item(
        PickListItem(
            id=uuid.uuid4(),
            pick_list_id=stop.pick_list_id,
            line_id=stop.id,
            order_id=order.id,
            order_line_id=line.id,
            order_number=order.number,
            quantity=line.quantity_ordered,
            picked=line.quantity_ordered,
        )
    )


async def a_shipped_order(
    uow: SqlAlchemyUnitOfWork,
    customer: Customer,
    warehouse: Warehouse,
    lines: Sequence[LineSpec],
    **kw: Any,
) -> Shipped:
    """A picked order whose one shipment (own fleet) left the warehouse: the reservations
    consumed, the stock issued, the lines shipped — what a ship confirmation leaves."""
    picked = await a_picked_order(uow, customer, warehouse, lines, **kw)
    async with uow:
        order = await uow.orders.get_for_update_or_raise(picked.id)
        rows = await uow.orders.lines(order.id)
        shipment = await _shipment(uow, order, warehouse, rows)
        for r in await uow.reservations.for_order(order.id):
            await uow.reservations.release(r)
        for x in rows:
            issued = await uow.stock.move(
                warehouse.id,
                x.product_id,
                -x.quantity_ordered,
                kind=MovementKind.ISSUE.value,
                actor=ACTOR,
                reference=shipment.number,
            )
            assert issued is not None
        order_lines.ship(order, rows, [(x.id, x.quantity_ordered) for x in rows])
        await uow.commit()
    return Shipped(order, rows, picked.pick_list, warehouse, shipment)


async def _shipment(
    uow: SqlAlchemyUnitOfWork, order: Order, warehouse: Warehouse, rows: list[OrderLine]
) -> Shipment:
    now = _now()
    shipment = Shipment(
        id=uuid.uuid4(),
        number=format_shipment_number(now.year, await uow.shipments.next_number()),
        order_id=order.id,
        warehouse_id=warehouse.id,
        carrier_id=None,
        status=ShipmentStatus.SHIPPED.value,
        ship_to=order.ship_to,
        created_by=ACTOR,
        updated_by=ACTOR,
        verified_at=now,
        verified_by=ACTOR,
        shipped_at=now,
        shipped_by=ACTOR,
        tracking_token=secrets.token_urlsafe(24),
        version=1,
    )
    uow.shipments.add(shipment)
    await uow.flush()
    for line_no, x in enumerate(rows, start=1):
        uow.shipments.add_line(
            ShipmentLine(
                id=uuid.uuid4(),
                shipment_id=shipment.id,
                line_no=line_no,
                order_line_id=x.id,
                product_id=x.product_id,
                sku=x.sku,
                name=x.name,
                quantity=x.quantity_ordered,
            )
        )
    return shipment


async def reservations_of(uow: SqlAlchemyUnitOfWork, order: Order | Placed) -> list[Reservation]:
    """The order's reservations as the database has them now."""
    order_id = order.id
    async with uow:
        return await uow.reservations.for_order(order_id)


async def fresh_order(uow: SqlAlchemyUnitOfWork, order: Order | Placed) -> Placed:
    """The order and its lines re-read from the database."""
    async with uow:
        row = await uow.orders.get_or_raise(order.id)
        rows = await uow.orders.lines(row.id)
    return Placed(row, rows)
