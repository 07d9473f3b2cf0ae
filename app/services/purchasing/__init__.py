"""Replenishment and purchase orders: what to buy, ordering it, and receiving the goods."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal
from app.domain.errors import NotFound, RuleViolation, UnknownReference, Violations
from app.domain.events import StockArrived
from app.domain.purchasing import (
    ON_ORDER,
    OPEN,
    LineQuantities,
    PurchaseOrderStatus,
    check_cancel,
    check_receipt,
    check_receive,
    check_send,
    format_purchase_order_number,
    status_after_receipt,
)
from app.domain.replenishment import ProductPosition, SupplierGroup, expected_date, plan
from app.domain.stock import MovementKind, check_quantity_precision
from app.repositories.customers import Supplier
from app.repositories.pagination import PageResult
from app.repositories.products import Product
from app.repositories.purchasing import (
    Candidate,
    PurchaseOrder,
    PurchaseOrderLine,
    SupplierInfo,
)
from app.repositories.stock import MovementView, StockMovement
from app.repositories.warehouses import Warehouse
from app.schemas.purchasing import PurchaseOrderCreate, PurchaseOrderReceipt
from app.services.common import retrying
from app.services.recording import record_change, snapshot
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

# The suggestions consider at most this many products (those short or below their reorder
# point, by SKU); the answer says when the list was cut.
SUGGESTION_LIMIT = 1000


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class GroupView:
    group: SupplierGroup
    supplier: SupplierInfo | None
    products: dict[uuid.UUID, Product]


@dataclass(frozen=True)
class SuggestionsView:
    order_date: date
    groups: list[GroupView]
    limit: int
    truncated: bool


@dataclass(frozen=True)
class PurchaseOrderView:
    order: PurchaseOrder
    supplier: str
    warehouse: str
    lines: list[PurchaseOrderLine] | None = None


@dataclass(frozen=True)
class Skipped:
    sku: str
    reason: str


@dataclass(frozen=True)
class ReplenishmentResult:
    purchase_orders: list[PurchaseOrderView]
    skipped: list[Skipped]


@dataclass(frozen=True)
class ReceivedView:
    purchase_order: PurchaseOrderView
    movements: list[MovementView]
    backorders_allocated: int


def _position(c: Candidate) -> ProductPosition:
    p = c.product
    return ProductPosition(
        product_id=p.id,
        sku=p.sku,
        available=c.available,
        shortage=c.shortage,
        on_order=c.on_order,
        reorder_point=p.reorder_point,
        reorder_quantity=p.reorder_quantity,
        uom_precision=p.uom_precision,
        supplier_id=p.preferred_supplier_id,
    )


async def _plan(uow: UnitOfWork, today: date) -> SuggestionsView:
    """Within an open unit of work: the suggestions as of ``today``, grouped by supplier."""
    candidates = await uow.purchasing.replenishment_candidates(ON_ORDER, SUGGESTION_LIMIT + 1)
    truncated = len(candidates) > SUGGESTION_LIMIT
    candidates = candidates[:SUGGESTION_LIMIT]
    products = {c.product.id: c.product for c in candidates}
    suppliers = await uow.purchasing.suppliers(
        {c.product.preferred_supplier_id for c in candidates if c.product.preferred_supplier_id}
    )
    lead_times = {sid: s.lead_time_days for sid, s in suppliers.items()}
    groups = plan(map(_position, candidates), lead_times, today)
    views = [
        GroupView(g, suppliers[g.supplier_id] if g.supplier_id else None, products) for g in groups
    ]
    views.sort(key=lambda v: (v.supplier is None, v.supplier.code if v.supplier else ""))
    return SuggestionsView(today, views, SUGGESTION_LIMIT, truncated)


async def suggestions(uow: UnitOfWork) -> SuggestionsView:
    """What to buy now, grouped by preferred supplier (products without one last)."""
    async with uow:
        return await _plan(uow, _today())


async def _warehouse(uow: UnitOfWork, code: str, v: Violations) -> Warehouse | None:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        v.add("warehouse", "exists", f"No warehouse with code '{code}'.")
    elif not warehouse.active:
        v.add("warehouse", "active", f"Warehouse {code} is inactive.")
    return warehouse


async def _add_order(
    uow: UnitOfWork,
    principal: Principal,
    supplier: Supplier | SupplierInfo,
    warehouse: Warehouse,
    lines: Sequence[tuple[Product, Decimal, Decimal | None]],
    order_date: date,
    expected: date | None,
) -> PurchaseOrderView:
    """Number, store and record one draft purchase order."""
    sequence = await uow.purchasing.next_number()
    order = PurchaseOrder(
        number=format_purchase_order_number(order_date.year, sequence),
        supplier_id=supplier.id,
        warehouse_id=warehouse.id,
        status=PurchaseOrderStatus.DRAFT,
        order_date=order_date,
        expected_date=expected,
        created_by=principal.actor,
    )
    uow.purchasing.add(order)
    await uow.flush()
    rows = []
    for line_no, (product, quantity, unit_price) in enumerate(lines, start=1):
        row = PurchaseOrderLine(
            purchase_order_id=order.id,
            line_no=line_no,
            product_id=product.id,
            sku=product.sku,
            quantity=quantity,
            received_quantity=Decimal(0),
            unit_price=unit_price,
        )
        uow.purchasing.add_line(row)
        rows.append(row)
    await uow.flush()
    view = PurchaseOrderView(order, supplier.code, warehouse.code, rows)
    record_change(
        uow,
        principal.actor,
        "purchase_order",
        order.id,
        "created",
        None,
        _image(view),
        event="purchase_order.created",
    )
    return view


def _image(view: PurchaseOrderView) -> dict[str, Any]:
    """The order as audit and outbox events show it."""
    image = snapshot(view.order) | {"supplier": view.supplier, "warehouse": view.warehouse}
    if view.lines is not None:
        image["lines"] = [snapshot(line) for line in view.lines]
    return image


@retrying
async def create_from_suggestions(
    uow: UnitOfWork, warehouse_code: str, principal: Principal
) -> ReplenishmentResult:
    """Turn the current suggestions into draft purchase orders, one per preferred supplier;
    products without a supplier (or whose supplier is inactive) are skipped and reported."""
    today = _today()
    async with uow:
        v = Violations()
        warehouse = await _warehouse(uow, warehouse_code, v)
        v.raise_if_any()
        assert warehouse is not None
        view = await _plan(uow, today)
        created: list[PurchaseOrderView] = []
        skipped: list[Skipped] = []
        for g in view.groups:
            skus = [s.position.sku for s in g.group.suggestions]
            if g.supplier is None:
                skipped += [Skipped(sku, "no_preferred_supplier") for sku in skus]
                continue
            if not g.supplier.active:
                skipped += [Skipped(sku, "supplier_inactive") for sku in skus]
                continue
            lines = [(g.products[s.product_id], s.quantity, None) for s in g.group.suggestions]
            created.append(
                await _add_order(
                    uow, principal, g.supplier, warehouse, lines, today, g.group.expected_date
                )
            )
        await uow.commit()
    return ReplenishmentResult(created, skipped)


def _precision_issues(quantity: Decimal, precision: int, field: str, v: Violations) -> None:
    try:
        check_quantity_precision(quantity, precision, field)
    except RuleViolation as exc:
        v.issues += exc.issues


@retrying
async def create_purchase_order(
    uow: UnitOfWork, data: PurchaseOrderCreate, principal: Principal
) -> PurchaseOrderView:
    """A draft purchase order; every broken rule is reported at once (422)."""
    today = _today()
    async with uow:
        v = Violations()
        supplier = await uow.suppliers.get_by_code(data.supplier)
        if supplier is None:
            v.add("supplier", "exists", f"No supplier with code '{data.supplier}'.")
        elif not supplier.active:
            v.add("supplier", "active", f"Supplier {data.supplier} is inactive.")
        warehouse = await _warehouse(uow, data.warehouse, v)
        products = await uow.products.get_many_by_sku([line.sku for line in data.lines])
        seen: set[str] = set()
        lines: list[tuple[Product, Decimal, Decimal | None]] = []
        for i, line in enumerate(data.lines):
            product = products.get(line.sku)
            if product is None:
                v.add(f"lines.{i}.sku", "exists", f"No product with SKU '{line.sku}'.")
                continue
            if line.sku in seen:
                v.add(f"lines.{i}.sku", "unique", f"{line.sku} appears on more than one line.")
            seen.add(line.sku)
            if not product.active:
                v.add(f"lines.{i}.sku", "active", f"Product {line.sku} is inactive.")
            _precision_issues(line.quantity, product.uom_precision, f"lines.{i}.quantity", v)
            lines.append((product, line.quantity, line.unit_price))
        if data.expected_date is not None and data.expected_date < today:
            v.add("expected_date", "not_in_past", "The expected date is before today.")
        v.raise_if_any()
        if supplier is None or warehouse is None:
            raise UnknownReference("The supplier or the warehouse is unknown.")
        expected = data.expected_date or expected_date(today, supplier.lead_time_days)
        view = await _add_order(uow, principal, supplier, warehouse, lines, today, expected)
        await uow.commit()
    return view


async def _load(uow: UnitOfWork, order: PurchaseOrder) -> PurchaseOrderView:
    suppliers, warehouses = await uow.purchasing.codes([order])
    return PurchaseOrderView(
        order,
        suppliers[order.supplier_id],
        warehouses[order.warehouse_id],
        await uow.purchasing.lines(order.id),
    )


async def get_purchase_order(uow: UnitOfWork, purchase_order_id: uuid.UUID) -> PurchaseOrderView:
    async with uow:
        order = await uow.purchasing.get(purchase_order_id)
        if order is None:
            raise NotFound(f"No purchase order with id {purchase_order_id}.")
        return await _load(uow, order)


async def list_purchase_orders(
    uow: UnitOfWork,
    *,
    status: str | None,
    supplier: str | None,
    warehouse: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[PurchaseOrderView]:
    """Purchase orders newest first (without their lines)."""
    async with uow:
        supplier_id = warehouse_id = None
        if supplier is not None:
            found = await uow.suppliers.get_by_code(supplier)
            if found is None:
                raise UnknownReference.on(
                    "supplier", "exists", f"No supplier with code '{supplier}'."
                )
            supplier_id = found.id
        if warehouse is not None:
            wh = await uow.warehouses.get_by_code(warehouse)
            if wh is None:
                raise UnknownReference.on(
                    "warehouse", "exists", f"No warehouse with code '{warehouse}'."
                )
            warehouse_id = wh.id
        page = await uow.purchasing.page(
            status=status,
            supplier_id=supplier_id,
            warehouse_id=warehouse_id,
            limit=limit,
            cursor=cursor,
        )
        suppliers, warehouses = await uow.purchasing.codes(page.items)
    return PageResult(
        [
            PurchaseOrderView(o, suppliers[o.supplier_id], warehouses[o.warehouse_id])
            for o in page.items
        ],
        page.next_cursor,
    )


async def _locked(uow: UnitOfWork, purchase_order_id: uuid.UUID) -> PurchaseOrder:
    order = await uow.purchasing.get_for_update(purchase_order_id)
    if order is None:
        raise NotFound(f"No purchase order with id {purchase_order_id}.")
    return order


async def _transition(
    uow: UnitOfWork,
    purchase_order_id: uuid.UUID,
    principal: Principal,
    target: PurchaseOrderStatus,
    action: str,
) -> PurchaseOrderView:
    async with uow:
        order = await _locked(uow, purchase_order_id)
        if target is PurchaseOrderStatus.SENT:
            check_send(order.status, order.number)
        else:
            check_cancel(order.status, order.number)
        before = snapshot(order)
        order.status = target
        await uow.flush()
        view = await _load(uow, order)
        record_change(
            uow,
            principal.actor,
            "purchase_order",
            order.id,
            action,
            before,
            _image(view),
            event=f"purchase_order.{action}",
        )
        await uow.commit()
    return view


@retrying
async def send(
    uow: UnitOfWork, purchase_order_id: uuid.UUID, principal: Principal
) -> PurchaseOrderView:
    """draft → sent: the order is now placed with the supplier."""
    return await _transition(uow, purchase_order_id, principal, PurchaseOrderStatus.SENT, "sent")


@retrying
async def cancel(
    uow: UnitOfWork, purchase_order_id: uuid.UUID, principal: Principal
) -> PurchaseOrderView:
    """A draft or sent order is cancelled; anything received already cannot be."""
    return await _transition(
        uow, purchase_order_id, principal, PurchaseOrderStatus.CANCELLED, "cancelled"
    )


@retrying
async def receive(
    uow: UnitOfWork,
    purchase_order_id: uuid.UUID,
    data: PurchaseOrderReceipt,
    principal: Principal,
    settings: Settings,
) -> ReceivedView:
    """Goods arrived: receipt movements at the order's warehouse (reference = its number),
    received quantities and status, backorders of those products allocated, audit and outbox
    events; all in one transaction, or nothing when any line breaks a rule."""
    tolerance = settings.po_over_receipt_tolerance_percent
    async with uow:
        order = await _locked(uow, purchase_order_id)
        check_receive(order.status, order.number)
        lines = await uow.purchasing.lines(order.id)
        by_sku = {line.sku: line for line in lines}
        products = await uow.products.get_many_by_sku(list(by_sku))
        v = Violations()
        seen: set[str] = set()
        receipts: list[tuple[int, PurchaseOrderLine, Decimal]] = []
        for i, item in enumerate(data.lines):
            line = by_sku.get(item.sku)
            if line is None:
                v.add(f"lines.{i}.sku", "on_order", f"{item.sku} is not on {order.number}.")
                continue
            if item.sku in seen:
                v.add(f"lines.{i}.sku", "unique", f"{item.sku} appears on more than one line.")
            seen.add(item.sku)
            _precision_issues(
                item.quantity, products[item.sku].uom_precision, f"lines.{i}.quantity", v
            )
            receipts.append((i, line, item.quantity))
        v.raise_if_any()
        check_receipt(
            [
                (i, LineQuantities(ln.sku, ln.quantity, ln.received_quantity), q)
                for i, ln, q in receipts
            ],
            tolerance,
        )

        before = snapshot(order)
        suppliers, warehouses = await uow.purchasing.codes([order])
        warehouse_code = warehouses[order.warehouse_id]
        movements: list[StockMovement] = []
        # Stock rows are touched in product order, as allocation locks them, so the two
        # cannot deadlock on each other.
        for _, line, quantity in sorted(receipts, key=lambda r: r[1].product_id):
            movement = await uow.stock.move(
                order.warehouse_id,
                line.product_id,
                quantity,
                kind=MovementKind.RECEIPT,
                actor=principal.actor,
                reference=order.number,
            )
            assert movement is not None, "adding stock is never refused"
            movements.append(movement)
            line.received_quantity = line.received_quantity + quantity
        order.status = status_after_receipt(
            [LineQuantities(ln.sku, ln.quantity, ln.received_quantity) for ln in lines]
        )
        await uow.flush()
        for movement in movements:
            record_change(
                uow,
                principal.actor,
                "stock_movement",
                movement.id,
                "created",
                None,
                snapshot(movement) | {"warehouse": warehouse_code, "sku": _sku(lines, movement)},
                event="stock.moved",
            )
        view = PurchaseOrderView(order, suppliers[order.supplier_id], warehouse_code, lines)
        record_change(
            uow,
            principal.actor,
            "purchase_order",
            order.id,
            "received",
            before,
            _image(view),
            event="purchase_order.received",
        )
        arrived = StockArrived(
            actor=principal.actor,
            entity_id=order.number,
            product_ids=tuple(sorted({line.product_id for _, line, _ in receipts}, key=str)),
        )
        uow.record(arrived)
        await uow.commit()
        allocated = sum(arrived.results)
    return ReceivedView(
        view,
        [MovementView.of(m, warehouse_code, _sku(lines, m)) for m in movements],
        allocated,
    )


def _sku(lines: list[PurchaseOrderLine], movement: StockMovement) -> str:
    return next(line.sku for line in lines if line.product_id == movement.product_id)


async def open_purchase_quantities(
    uow: UnitOfWork, product_ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, tuple[Decimal, date | None]]:
    """Per product: the quantity still to receive on sent and partially received purchase
    orders, and the earliest expected date among them. Call it inside an open unit of work
    (``async with uow:``); it reads only. ``product_ids`` narrows it to those products."""
    return await uow.purchasing.on_order_by_product(OPEN, product_ids)
