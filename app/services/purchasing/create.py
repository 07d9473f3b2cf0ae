"""Creating a purchase order by hand."""

from __future__ import annotations

from app.domain.errors import UnknownReference, Violations
from app.domain.replenishment import expected_date
from app.repositories.customers import Supplier
from app.repositories.products import Product
from app.services.bus import Context
from app.services.common import retrying
from app.services.purchasing.commands import CreatePurchaseOrder, PurchaseItem
from app.services.purchasing.drafting import (
    DraftLine,
    add_order,
    delivery_warehouse,
    precision_issues,
)
from app.services.purchasing.views import PurchaseOrderView, today
from app.services.unit_of_work import UnitOfWork


async def _supplier(uow: UnitOfWork, code: str, v: Violations) -> Supplier | None:
    supplier = await uow.suppliers.get_by_code(code)
    if supplier is None:
        v.add("supplier", "exists", f"No supplier with code '{code}'.")
    elif not supplier.active:
        v.add("supplier", "active", f"Supplier {code} is inactive.")
    return supplier


def _draft_lines(
    items: tuple[PurchaseItem, ...], products: dict[str, Product], v: Violations
) -> list[DraftLine]:
    """The lines whose product exists; every broken rule goes to ``v``."""
    seen: set[str] = set()
    lines: list[DraftLine] = []
    for i, line in enumerate(items):
        product = products.get(line.sku)
        if product is None:
            v.add(f"lines.{i}.sku", "exists", f"No product with SKU '{line.sku}'.")
            continue
        if line.sku in seen:
            v.add(f"lines.{i}.sku", "unique", f"{line.sku} appears on more than one line.")
        seen.add(line.sku)
        if not product.active:
            v.add(f"lines.{i}.sku", "active", f"Product {line.sku} is inactive.")
        precision_issues(line.quantity, product.uom_precision, f"lines.{i}.quantity", v)
        lines.append((product, line.quantity, line.unit_price))
    return lines


@retrying
async def create_purchase_order(
    cmd: CreatePurchaseOrder, uow: UnitOfWork, ctx: Context
) -> PurchaseOrderView:
    """A draft purchase order; every broken rule is reported at once (422)."""
    on = today()
    async with uow:
        v = Violations()
        supplier = await _supplier(uow, cmd.supplier, v)
        warehouse = await delivery_warehouse(uow, cmd.warehouse, v)
        products = await uow.products.get_many_by_sku([line.sku for line in cmd.lines])
        lines = _draft_lines(cmd.lines, products, v)
        if cmd.expected_date is not None and cmd.expected_date < on:
            v.add("expected_date", "not_in_past", "The expected date is before today.")
        v.raise_if_any()
        if supplier is None or warehouse is None:
            raise UnknownReference("The supplier or the warehouse is unknown.")
        expected = cmd.expected_date or expected_date(on, supplier.lead_time_days)
        view = await add_order(uow, cmd.principal, supplier, warehouse, lines, on, expected)
        await uow.commit()
    return view
