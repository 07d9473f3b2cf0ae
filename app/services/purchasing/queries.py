"""Reading purchase orders, and what is still on order."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from decimal import Decimal

from app.domain.errors import UnknownReference
from app.domain.purchasing import OPEN
from app.repositories.pagination import PageResult
from app.services.purchasing.views import PurchaseOrderView, load_view
from app.services.unit_of_work import UnitOfWork


async def get_purchase_order(uow: UnitOfWork, purchase_order_id: uuid.UUID) -> PurchaseOrderView:
    async with uow:
        order = await uow.purchasing.get_or_raise(purchase_order_id)
        return await load_view(uow, order)


async def _supplier_id(uow: UnitOfWork, code: str | None) -> uuid.UUID | None:
    if code is None:
        return None
    found = await uow.suppliers.get_by_code(code)
    if found is None:
        raise UnknownReference.on("supplier", "exists", f"No supplier with code '{code}'.")
    return found.id


async def _warehouse_id(uow: UnitOfWork, code: str | None) -> uuid.UUID | None:
    if code is None:
        return None
    found = await uow.warehouses.get_by_code(code)
    if found is None:
        raise UnknownReference.on("warehouse", "exists", f"No warehouse with code '{code}'.")
    return found.id


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
        page = await uow.purchasing.page(
            status=status,
            supplier_id=await _supplier_id(uow, supplier),
            warehouse_id=await _warehouse_id(uow, warehouse),
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


async def open_purchase_quantities(
    uow: UnitOfWork, product_ids: Collection[uuid.UUID] | None = None
) -> dict[uuid.UUID, tuple[Decimal, date | None]]:
    """Per product: the quantity still to receive on sent and partially received purchase
    orders, and the earliest expected date among them. Call it inside an open unit of work
    (``async with uow:``); it reads only. ``product_ids`` narrows it to those products."""
    return await uow.purchasing.on_order_by_product(OPEN, product_ids)
