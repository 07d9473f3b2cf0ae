"""Reading production requests."""

from __future__ import annotations

import uuid

from app.repositories.pagination import PageResult
from app.repositories.production import ProductionFilter
from app.services.production.views import ProductionView, load_view
from app.services.unit_of_work import UnitOfWork


async def get_request(uow: UnitOfWork, request_id: uuid.UUID) -> ProductionView:
    async with uow:
        return await load_view(uow, await uow.production.get_or_raise(request_id))


async def list_requests(
    uow: UnitOfWork,
    *,
    status: str | None,
    product_id: uuid.UUID | None,
    order_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> PageResult[ProductionView]:
    async with uow:
        page = await uow.production.page(
            ProductionFilter(status=status, product_id=product_id, order_id=order_id),
            limit=limit,
            cursor=cursor,
        )
        links = await uow.production.links([x.id for x in page.items])
        codes = {w.id: w.code for w in await uow.allocation.active_warehouses()}
        views = []
        for x in page.items:
            code = (
                codes.get(x.warehouse_id)
                or (await uow.warehouses.get_or_raise(x.warehouse_id)).code
            )
            views.append(ProductionView(x, [k for k in links if k.request_id == x.id], code))
    return PageResult(views, page.next_cursor)
