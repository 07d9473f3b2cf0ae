"""Giving reserved stock back: an order's release, deallocation, expiry of unpaid holds."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.domain import order_lines
from app.domain.events import ReservationExpired, ReservationsReleased
from app.repositories.orders import Order, OrderLine
from app.services.allocation.commands import DeallocateOrder, ExpireUnpaidReservations
from app.services.allocation.queries import approved_for_update
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


async def release_in_uow(
    uow: UnitOfWork,
    order: Order,
    lines: list[OrderLine],
    actor: str,
    reason: str,
) -> Decimal:
    """Give back every reservation of an order (cancel, reject, deallocate, re-allocation)."""
    reservations = await uow.reservations.for_order(order.id)
    await uow.reservations.lock_levels([(r.warehouse_id, r.product_id) for r in reservations])
    total = Decimal(0)
    released = []
    for r in reservations:
        amount = await uow.reservations.release(r)
        released.append((r.order_line_id, amount))
        total += amount
    order_lines.release(order, lines, released)
    if total:
        uow.record(
            ReservationsReleased(
                actor=actor,
                entity_id=order.id,
                after={"number": order.number, "quantity": str(total), "reason": reason},
            )
        )
    return total


@retrying
async def deallocate_order(cmd: DeallocateOrder, uow: UnitOfWork, ctx: Context) -> Order:
    """Give back everything an approved order holds; it stays approved."""
    async with uow:
        order, lines = await approved_for_update(uow, cmd.order_id)
        await release_in_uow(uow, order, lines, cmd.principal.actor, reason="deallocated")
        await uow.commit()
    return order


@retrying
async def expire_unpaid_reservations(
    cmd: ExpireUnpaidReservations, uow: UnitOfWork, ctx: Context
) -> int:
    """Release the reservations of unpaid prepaid orders whose time ran out (worker job).
    Returns how many orders had expired reservations."""
    now = cmd.now or datetime.now(UTC)
    actor = cmd.principal.actor
    async with uow:
        order_ids = await uow.reservations.expired_orders(now)
        for order_id in order_ids:
            order = await uow.orders.get_for_update(order_id)
            if order is None or order.payment_status == "paid":
                continue
            lines = await uow.orders.lines(order.id)
            await release_in_uow(uow, order, lines, actor, reason="reservation expired")
            uow.record(
                ReservationExpired(actor=actor, entity_id=order.id, after={"number": order.number})
            )
        await uow.commit()
    return len(order_ids)
