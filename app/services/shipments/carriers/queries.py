"""Reading carriers' master data."""

from __future__ import annotations

import uuid

from app.repositories.carriers import Carrier
from app.repositories.pagination import PageResult
from app.services.unit_of_work import UnitOfWork


async def get_carrier(uow: UnitOfWork, carrier_id: uuid.UUID) -> Carrier:
    async with uow:
        return await uow.carriers.get_or_raise(carrier_id)


async def list_carriers(
    uow: UnitOfWork,
    *,
    active: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Carrier]:
    async with uow:
        return await uow.carriers.page(active=active, q=q, limit=limit, cursor=cursor)
