"""Reading orders: one order with its lines, a page of orders, an order's timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from app.domain.errors import NotFound
from app.repositories.orders import Order, OrderFilters, OrderLine
from app.repositories.pagination import PageResult
from app.services.unit_of_work import UnitOfWork

__all__ = [
    "OrderFilters",
    "OrderView",
    "PlaceResult",
    "get_order",
    "get_order_by_number",
    "list_orders",
    "order_events",
]
# OrderFilters is named here for the router, which builds it and may not import repositories.


@dataclass(frozen=True)
class OrderView:
    order: Order
    lines: list[OrderLine]


@dataclass(frozen=True)
class PlaceResult:
    """A placed order, and whether this request created it (else it existed already)."""

    view: OrderView
    created: bool


async def get_order(uow: UnitOfWork, order_id: uuid.UUID) -> OrderView:
    async with uow:
        order = await uow.orders.get_or_raise(order_id)
        return OrderView(order, await uow.orders.lines(order.id))


async def get_order_by_number(uow: UnitOfWork, number: str) -> OrderView:
    async with uow:
        order = await uow.orders.get_by_number(number)
        if order is None:
            raise NotFound(f"No order numbered {number}.")
        return OrderView(order, await uow.orders.lines(order.id))


async def list_orders(
    uow: UnitOfWork,
    filters: OrderFilters,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
) -> PageResult[Order]:
    async with uow:
        return await uow.orders.page(filters=filters, sort=sort, limit=limit, cursor=cursor)


async def order_events(
    uow: UnitOfWork, order_id: uuid.UUID, *, limit: int, cursor: str | None
) -> PageResult[Any]:
    async with uow:
        await uow.orders.get_or_raise(order_id)
        return await uow.audit.page_for("order", str(order_id), limit=limit, cursor=cursor)
