"""Receiving goods against a purchase order: receipt movements, received quantities and
status, and the arrived stock offered to waiting orders (reaction to ``StockArrived``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.errors import Violations
from app.domain.events import GoodsReceiptMoved, PurchaseOrderReceived, StockArrived
from app.domain.purchasing import (
    LineQuantities,
    check_receipt,
    check_receive,
    status_after_receipt,
)
from app.domain.stock import MovementKind
from app.repositories.base import snapshot
from app.repositories.products import Product
from app.repositories.purchasing import PurchaseOrder, PurchaseOrderLine
from app.repositories.stock import MovementView, StockMovement
from app.services.bus import Context
from app.services.common import retrying
from app.services.purchasing.commands import ReceiptItem, ReceivePurchaseOrder
from app.services.purchasing.drafting import precision_issues
from app.services.purchasing.views import PurchaseOrderView, image
from app.services.unit_of_work import UnitOfWork

Receipt = tuple[int, PurchaseOrderLine, Decimal]  # index in the request, line, quantity


@dataclass(frozen=True)
class ReceivedView:
    purchase_order: PurchaseOrderView
    movements: list[MovementView]
    backorders_allocated: int


def _receipts(
    order: PurchaseOrder,
    items: tuple[ReceiptItem, ...],
    by_sku: dict[str, PurchaseOrderLine],
    products: dict[str, Product],
) -> list[Receipt]:
    """The requested receipts against the order's lines; every broken rule at once (422)."""
    v = Violations()
    seen: set[str] = set()
    receipts: list[Receipt] = []
    for i, item in enumerate(items):
        line = by_sku.get(item.sku)
        if line is None:
            v.add(f"lines.{i}.sku", "on_order", f"{item.sku} is not on {order.number}.")
            continue
        if item.sku in seen:
            v.add(f"lines.{i}.sku", "unique", f"{item.sku} appears on more than one line.")
        seen.add(item.sku)
        precision_issues(item.quantity, products[item.sku].uom_precision, f"lines.{i}.quantity", v)
        receipts.append((i, line, item.quantity))
    v.raise_if_any()
    return receipts


def _quantities(line: PurchaseOrderLine) -> LineQuantities:
    return LineQuantities(line.sku, line.quantity, line.received_quantity)


async def _put_away(
    uow: UnitOfWork, order: PurchaseOrder, receipts: list[Receipt], actor: str
) -> list[StockMovement]:
    """Receipt movements at the order's warehouse and the lines' received quantities."""
    movements: list[StockMovement] = []
    # Stock rows are touched in product order, as allocation locks them, so the two
    # cannot deadlock on each other.
    for _, line, quantity in sorted(receipts, key=lambda r: r[1].product_id):
        movement = await uow.stock.move(
            order.warehouse_id,
            line.product_id,
            quantity,
            kind=MovementKind.RECEIPT,
            actor=actor,
            reference=order.number,
        )
        assert movement is not None, "adding stock is never refused"
        movements.append(movement)
        line.received_quantity = line.received_quantity + quantity
    return movements


def _sku(lines: list[PurchaseOrderLine], movement: StockMovement) -> str:
    return next(line.sku for line in lines if line.product_id == movement.product_id)


def _record_movements(
    uow: UnitOfWork,
    actor: str,
    movements: list[StockMovement],
    warehouse: str,
    lines: list[PurchaseOrderLine],
) -> None:
    for movement in movements:
        after = snapshot(movement) | {"warehouse": warehouse, "sku": _sku(lines, movement)}
        uow.record(GoodsReceiptMoved(actor=actor, entity_id=movement.id, after=after))


@retrying
async def receive_purchase_order(
    cmd: ReceivePurchaseOrder, uow: UnitOfWork, ctx: Context
) -> ReceivedView:
    """Goods arrived: receipt movements at the order's warehouse (reference = its number),
    received quantities and status, backorders of those products allocated, audit and outbox
    events; all in one transaction, or nothing when any line breaks a rule."""
    tolerance = ctx.settings.po_over_receipt_tolerance_percent
    actor = cmd.principal.actor
    async with uow:
        order = await uow.purchasing.get_for_update_or_raise(cmd.purchase_order_id)
        check_receive(order.status, order.number)
        lines = await uow.purchasing.lines(order.id)
        by_sku = {line.sku: line for line in lines}
        products = await uow.products.get_many_by_sku(list(by_sku))
        receipts = _receipts(order, cmd.lines, by_sku, products)
        check_receipt([(i, _quantities(ln), q) for i, ln, q in receipts], tolerance)
        before = snapshot(order)
        suppliers, warehouses = await uow.purchasing.codes([order])
        warehouse = warehouses[order.warehouse_id]
        movements = await _put_away(uow, order, receipts, actor)
        order.status = status_after_receipt([_quantities(ln) for ln in lines])
        await uow.flush()
        _record_movements(uow, actor, movements, warehouse, lines)
        view = PurchaseOrderView(order, suppliers[order.supplier_id], warehouse, lines)
        uow.record(
            PurchaseOrderReceived(actor=actor, entity_id=order.id, before=before, after=image(view))
        )
        product_ids = tuple(sorted({line.product_id for _, line, _ in receipts}, key=str))
        arrived = StockArrived(actor=actor, entity_id=order.number, product_ids=product_ids)
        uow.record(arrived)
        await uow.commit()
        allocated = sum(arrived.results)
    return ReceivedView(
        view, [MovementView.of(m, warehouse, _sku(lines, m)) for m in movements], allocated
    )
