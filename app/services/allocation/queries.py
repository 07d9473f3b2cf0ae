"""Reading allocations: what an order holds and the last decision taken for it."""

from __future__ import annotations

import uuid
from typing import Any

from app.domain.errors import InvalidState
from app.domain.orders import OrderStatus
from app.repositories.orders import Order, OrderLine
from app.repositories.reservations import OrderAllocation
from app.services.unit_of_work import UnitOfWork


async def get_allocations(
    uow: UnitOfWork, order_id: uuid.UUID
) -> tuple[Order, list[OrderLine], list[Any], OrderAllocation | None]:
    async with uow:
        order = await uow.orders.get_or_raise(order_id)
        return (
            order,
            await uow.orders.lines(order.id),
            await uow.reservations.for_order(order.id),
            await uow.reservations.latest_allocation(order.id),
        )


async def approved_for_update(
    uow: UnitOfWork, order_id: uuid.UUID
) -> tuple[Order, list[OrderLine]]:
    """The order, locked, and its lines; only an approved order is (de)allocated by hand."""
    order = await uow.orders.get_for_update_or_raise(order_id)
    if order.status != OrderStatus.APPROVED:
        raise InvalidState(
            f"Only approved orders are allocated; this one is {order.status}.",
            code="order_not_approved",
        )
    if order.short_closed_at is not None:
        raise InvalidState(
            "The order is short-closed: what it has not shipped will not be.",
            code="order_short_closed",
        )
    return order, await uow.orders.lines(order.id)
