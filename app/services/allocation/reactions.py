"""Allocation's handlers on the bus (``app/bootstrap.py`` lists what they react to)."""

from __future__ import annotations

from app.domain.events import (
    Event,
    OrderApproved,
    OrderCancelled,
    OrderEditStarted,
    OrderRejected,
    OrderShortClosed,
    ShortPicked,
    StockArrived,
)
from app.domain.orders import OrderStatus
from app.services.allocation.allocate import allocate_in_uow
from app.services.allocation.backorders import allocate_backorders
from app.services.allocation.release import release_in_uow
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork

RELEASE_REASONS: dict[type[Event], str] = {
    OrderCancelled: "cancelled",
    OrderRejected: "rejected",
    OrderEditStarted: "order edited",
    OrderShortClosed: "short-closed",
}


async def on_order_approved(event: OrderApproved, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: an approved order is allocated at once."""
    order = await uow.orders.get_for_update_or_raise(event.entity_uuid)
    await allocate_in_uow(uow, order, await uow.orders.lines(order.id), event.actor, ctx.settings)


async def on_order_released(event: Event, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: a cancelled, rejected or re-opened order gives back what it holds."""
    order = await uow.orders.get_for_update_or_raise(event.entity_uuid)
    lines = await uow.orders.lines(order.id)
    await release_in_uow(uow, order, lines, event.actor, reason=RELEASE_REASONS[type(event)])


async def on_stock_arrived(event: StockArrived, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: stock arrived, so the orders waiting for it are allocated (how many were
    looked at goes to the event's results)."""
    looked_at = await allocate_backorders(
        uow, list(event.product_ids), event.actor, ctx.settings, first=event.first_order_ids
    )
    event.results.append(looked_at)


async def on_short_picked(event: ShortPicked, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: the approved orders a short pick served are allocated from other stock."""
    for order_id in event.order_ids:
        order = await uow.orders.get_for_update(order_id)
        if order is not None and order.status == OrderStatus.APPROVED and not order.short_closed_at:
            lines = await uow.orders.lines(order.id)
            await allocate_in_uow(uow, order, lines, event.actor, ctx.settings)
