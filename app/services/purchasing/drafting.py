"""What drafting a purchase order needs, by hand or from the suggestions: the delivery
warehouse's checks, quantity precision, and storing the draft with its event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from app.domain.auth import Principal
from app.domain.errors import RuleViolation, Violations
from app.domain.events import PurchaseOrderCreated
from app.domain.purchasing import PurchaseOrderStatus, format_purchase_order_number
from app.domain.stock import check_quantity_precision
from app.repositories.customers import Supplier
from app.repositories.products import Product
from app.repositories.purchasing import PurchaseOrder, PurchaseOrderLine
from app.repositories.replenishment import SupplierInfo
from app.repositories.warehouses import Warehouse
from app.services.purchasing.views import PurchaseOrderView, image
from app.services.unit_of_work import UnitOfWork

DraftLine = tuple[Product, Decimal, Decimal | None]  # product, quantity, unit price


async def delivery_warehouse(uow: UnitOfWork, code: str, v: Violations) -> Warehouse | None:
    """The warehouse the goods go to; unknown or inactive is an issue in ``v``."""
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        v.add("warehouse", "exists", f"No warehouse with code '{code}'.")
    elif not warehouse.active:
        v.add("warehouse", "active", f"Warehouse {code} is inactive.")
    return warehouse


def precision_issues(quantity: Decimal, precision: int, field: str, v: Violations) -> None:
    try:
        check_quantity_precision(quantity, precision, field)
    except RuleViolation as exc:
        v.issues += exc.issues


async def add_order(
    uow: UnitOfWork,
    principal: Principal,
    supplier: Supplier | SupplierInfo,
    warehouse: Warehouse,
    lines: Sequence[DraftLine],
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
    uow.record(PurchaseOrderCreated(actor=principal.actor, entity_id=order.id, after=image(view)))
    return view
