"""Backorders: allocating the orders that wait for stock when it arrives, and listing them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain.orders import OrderStatus
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult
from app.services.allocation.allocate import allocate_in_uow
from app.services.allocation.expected import expected_dates
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

BACKORDER_BATCH = 200


async def allocate_backorders(
    uow: UnitOfWork,
    product_ids: list[uuid.UUID],
    actor: str,
    settings: Settings,
    *,
    first: tuple[uuid.UUID, ...] = (),
) -> int:
    """Stock arrived: allocate waiting orders of these products, in priority order (those
    ``first`` names — the orders it was made for — before the others), inside the caller's
    transaction. Returns how many orders were looked at."""
    waiting = await uow.allocation.orders_waiting_for(product_ids, BACKORDER_BATCH)
    made_for = set(first)
    order_ids = [x for x in waiting if x in made_for] + [x for x in waiting if x not in made_for]
    for order_id in order_ids:
        order = await uow.orders.get_for_update(order_id)
        if order is None or order.status != OrderStatus.APPROVED or order.short_closed_at:
            continue
        await allocate_in_uow(uow, order, await uow.orders.lines(order.id), actor, settings)
    return len(order_ids)


@dataclass(frozen=True)
class Backorder:
    order_id: uuid.UUID
    order_number: str
    line_id: uuid.UUID
    sku: str
    customer_id: uuid.UUID
    customer_code: str
    backordered: Decimal
    priority: int
    requested_delivery_date: date | None
    age_days: int
    expected_date: date | None

    @classmethod
    def of(cls, order: Order, line: OrderLine, now: datetime, expected: date | None) -> Backorder:
        return cls(
            order.id,
            order.number,
            line.id,
            line.sku,
            order.customer_id,
            order.customer_code,
            line.quantity_ordered - line.quantity_reserved - line.quantity_shipped,
            order.priority,
            order.requested_delivery_date,
            (now - order.created_at).days,
            expected,
        )


async def list_backorders(
    uow: UnitOfWork,
    *,
    sku: str | None,
    customer_id: uuid.UUID | None,
    min_age_days: int | None,
    limit: int,
    cursor: str | None,
    now: datetime,
) -> PageResult[Backorder]:
    async with uow:
        page = await uow.allocation.backorders(
            sku=sku,
            customer_id=customer_id,
            created_before=now - timedelta(days=min_age_days) if min_age_days else None,
            limit=limit,
            cursor=cursor,
        )
        orders = await uow.allocation.orders_by_id([x.order_id for x in page.items])
        expected = await expected_dates(uow, [x.product_id for x in page.items])
    items = [
        Backorder.of(orders[x.order_id], x, now, expected.get(x.product_id)) for x in page.items
    ]
    return PageResult(items, page.next_cursor)
