"""Reading returns."""

from __future__ import annotations

import uuid

from app.domain.errors import RuleViolation
from app.repositories.pagination import PageResult
from app.repositories.returns import Return, ReturnFilter, ReturnLine
from app.services.after_sales.returns.views import ReturnView, load_view
from app.services.unit_of_work import UnitOfWork

__all__ = ["ReturnFilter", "get_return", "list_returns", "quarantine"]


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


async def quarantine(
    uow: UnitOfWork, warehouse: str | None, *, limit: int, cursor: str | None
) -> PageResult[tuple[Return, ReturnLine, str]]:
    """What returns hold in quarantine: (return, line, warehouse code), by line."""
    async with uow:
        warehouse_id = None
        if warehouse is not None:
            found = await uow.warehouses.get_by_code(warehouse)
            if found is None:
                raise RuleViolation.on("query.warehouse", "exists", f"No warehouse '{warehouse}'.")
            warehouse_id = found.id
        page = await uow.returns.quarantine(warehouse_id, limit=limit, cursor=cursor)
        codes = {}
        for ret, _ in page.items:
            if ret.warehouse_id not in codes:
                codes[ret.warehouse_id] = (await uow.warehouses.get_or_raise(ret.warehouse_id)).code
        return PageResult([(r, x, codes[r.warehouse_id]) for r, x in page.items], page.next_cursor)
