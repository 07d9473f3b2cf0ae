"""Reading stock: the movements ledger, stock levels and a product's availability."""

from __future__ import annotations

from datetime import datetime

from app.domain.errors import RuleViolation
from app.domain.stock import StockPosition
from app.repositories.pagination import PageResult
from app.repositories.stock import MovementView
from app.services.stock.lookups import product_by_sku, warehouse_by_code
from app.services.stock.views import Availability, LevelView, WarehouseStock
from app.services.unit_of_work import UnitOfWork


async def list_movements(
    uow: UnitOfWork,
    *,
    warehouse: str | None,
    sku: str | None,
    kind: str | None,
    reference: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    limit: int,
    cursor: str | None,
) -> PageResult[MovementView]:
    if created_from and created_to and created_to < created_from:
        raise RuleViolation.on(
            "created_to", "not_before_created_from", "created_to is before created_from."
        )
    async with uow:
        warehouse_id = (await warehouse_by_code(uow, warehouse)).id if warehouse else None
        product_id = (await product_by_sku(uow, sku)).id if sku else None
        page = await uow.stock.page_movements(
            warehouse_id=warehouse_id,
            product_id=product_id,
            kind=kind,
            reference=reference,
            created_from=created_from,
            created_to=created_to,
            limit=limit,
            cursor=cursor,
        )
    return PageResult([MovementView.of(*row) for row in page.items], page.next_cursor)


async def list_levels(
    uow: UnitOfWork,
    *,
    warehouse: str | None,
    sku: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[LevelView]:
    async with uow:
        warehouse_id = (await warehouse_by_code(uow, warehouse)).id if warehouse else None
        product_id = (await product_by_sku(uow, sku)).id if sku else None
        page = await uow.stock.page_levels(
            warehouse_id=warehouse_id, product_id=product_id, limit=limit, cursor=cursor
        )
    return PageResult([LevelView.of(*row) for row in page.items], page.next_cursor)


async def availability(uow: UnitOfWork, sku: str) -> Availability:
    """What can be promised of one product in every active warehouse, and in total."""
    async with uow:
        product = await product_by_sku(uow, sku)
        rows = await uow.stock.positions_in_active_warehouses(product.id)
    return Availability(
        product.id,
        product.sku,
        product.uom,
        [
            WarehouseStock(wid, code, StockPosition(on_hand, reserved))
            for wid, code, on_hand, reserved in rows
        ],
    )
