"""Reading customers."""

from __future__ import annotations

import uuid

from app.repositories.customers import Customer
from app.repositories.pagination import PageResult
from app.services.resources import get_record, list_records
from app.services.unit_of_work import UnitOfWork


async def get_customer(uow: UnitOfWork, customer_id: uuid.UUID) -> Customer:
    return await get_record(uow, lambda u: u.customers, customer_id)


async def list_customers(
    uow: UnitOfWork,
    *,
    status: str | None,
    active: bool | None,
    customer_group: str | None,
    tag: str | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Customer]:
    return await list_records(
        uow,
        lambda u: u.customers.page(
            status=status,
            active=active,
            customer_group=customer_group,
            tag=tag,
            q=q,
            limit=limit,
            cursor=cursor,
        ),
    )
