"""Reading returns."""

from __future__ import annotations

import uuid

from app.repositories.pagination import PageResult
from app.repositories.returns import ReturnFilter
from app.services.after_sales.returns.views import ReturnView, load_view
from app.services.unit_of_work import UnitOfWork

__all__ = ["ReturnFilter", "get_return", "list_returns"]


async def get_return(uow: UnitOfWork, return_id: uuid.UUID) -> ReturnView:
    async with uow:
        return await load_view(uow, await uow.returns.get_or_raise(return_id))


async def list_returns(
    uow: UnitOfWork, f: ReturnFilter, *, limit: int, cursor: str | None
) -> PageResult[ReturnView]:
    """A page of returns, newest first, each with its lines."""
    async with uow:
        page = await uow.returns.page(f, limit=limit, cursor=cursor)
        lines = await uow.returns.lines_of([x.id for x in page.items])
        return PageResult([ReturnView(x, lines[x.id]) for x in page.items], page.next_cursor)
