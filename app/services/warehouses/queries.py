"""Reading warehouses."""

from __future__ import annotations

import uuid

from app.repositories.pagination import PageResult
from app.repositories.warehouses import Warehouse
from app.services.resources import get_record, list_records
from app.services.unit_of_work import UnitOfWork


async def get_warehouse(uow: UnitOfWork, warehouse_id: uuid.UUID) -> Warehouse:
    return await get_record(uow, lambda u: u.warehouses, warehouse_id)


async def list_warehouses(
    uow: UnitOfWork,
    *,
    active: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Warehouse]:
    return await list_records(
        uow, lambda u: u.warehouses.page(active=active, q=q, limit=limit, cursor=cursor)
    )
