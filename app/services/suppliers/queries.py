"""Reading suppliers."""

from __future__ import annotations

import uuid

from app.repositories.customers import Supplier
from app.repositories.pagination import PageResult
from app.services.resources import get_record, list_records
from app.services.unit_of_work import UnitOfWork


async def get_supplier(uow: UnitOfWork, supplier_id: uuid.UUID) -> Supplier:
    return await get_record(uow, lambda u: u.suppliers, supplier_id)


async def list_suppliers(
    uow: UnitOfWork,
    *,
    active: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Supplier]:
    return await list_records(
        uow, lambda u: u.suppliers.page(active=active, q=q, limit=limit, cursor=cursor)
    )
