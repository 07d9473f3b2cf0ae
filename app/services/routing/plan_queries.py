"""Reading delivery plans."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from app.domain.errors import RuleViolation
from app.repositories.pagination import PageResult
from app.services.routing.plan_views import load_plan, plan_document
from app.services.unit_of_work import UnitOfWork


async def get_plan(uow: UnitOfWork, plan_id: uuid.UUID) -> dict[str, Any]:
    async with uow:
        return await plan_document(uow, await load_plan(uow, plan_id))


async def list_plans(
    uow: UnitOfWork,
    *,
    depot: str | None,
    plan_date: date | None,
    limit: int,
    cursor: str | None,
) -> PageResult[dict[str, Any]]:
    async with uow:
        depot_id = None
        if depot is not None:
            warehouse = await uow.warehouses.get_by_code(depot)
            if warehouse is None:
                raise RuleViolation.on("depot", "unknown", f"No warehouse {depot!r}.")
            depot_id = warehouse.id
        page = await uow.delivery_plans.page(
            depot_id=depot_id, plan_date=plan_date, limit=limit, cursor=cursor
        )
        items = [await plan_document(uow, p) for p in page.items]
        return PageResult(items=items, next_cursor=page.next_cursor)
