"""Reading pick lists."""

from __future__ import annotations

import uuid

from app.repositories.pagination import PageResult
from app.repositories.picking import PickListFilters
from app.services.picking.views import PickListView, load_view, views_of, warehouse_by_code
from app.services.unit_of_work import UnitOfWork


async def get_pick_list(uow: UnitOfWork, pick_list_id: uuid.UUID) -> PickListView:
    async with uow:
        pick_list = await uow.pick_lists.get_or_raise(pick_list_id)
        return await load_view(uow, pick_list)


async def list_pick_lists(
    uow: UnitOfWork,
    *,
    warehouse: str | None,
    status: str | None,
    picker: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[PickListView]:
    """Pick lists newest first, each with its lines."""
    async with uow:
        warehouse_id = (await warehouse_by_code(uow, warehouse)).id if warehouse else None
        page = await uow.pick_lists.page(
            filters=PickListFilters(warehouse_id, status, picker), limit=limit, cursor=cursor
        )
        views = await views_of(uow, page.items)
    return PageResult(views, page.next_cursor)
