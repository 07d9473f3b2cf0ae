"""An order's life after intake: submission (review decides, as a reaction) and cancellation
(its reservations are released, as a reaction)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.auth import Principal
from app.domain.events import OrderCancelled, OrderSubmitted
from app.domain.orders import LineQuantities, OrderStatus, ensure_cancellable, ensure_submittable
from app.repositories.orders import Order, OrderLine
from app.services.bus import Context
from app.services.common import retrying
from app.services.orders.commands import CancelOrder, SubmitOrder
from app.services.orders.intake import order_payload
from app.services.orders.queries import OrderView
from app.services.unit_of_work import UnitOfWork


def record_submission(
    uow: UnitOfWork, order: Order, lines: list[OrderLine], principal: Principal, now: datetime
) -> None:
    """Submission: record it; review (a reaction) decides the order's status."""
    order.submitted_at = now
    uow.record(
        OrderSubmitted(
            actor=principal.actor,
            entity_id=order.id,
            before={"status": OrderStatus.DRAFT.value},
            after={"status": "submitted"},
            payload=order_payload(order, lines),
            on=now.date(),
        )
    )


@retrying
async def submit_order(cmd: SubmitOrder, uow: UnitOfWork, ctx: Context) -> OrderView:
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        ensure_submittable(order.status)
        lines = await uow.orders.lines(order.id)
        record_submission(uow, order, lines, cmd.principal, datetime.now(UTC))
        await uow.commit()
    return OrderView(order, lines)


@retrying
async def cancel_order(cmd: CancelOrder, uow: UnitOfWork, ctx: Context) -> OrderView:
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        lines = await uow.orders.lines(order.id)
        ensure_cancellable(
            order.status,
            [LineQuantities(x.quantity_ordered, shipped=x.quantity_shipped) for x in lines],
        )
        before = {"status": order.status}
        order.status = OrderStatus.CANCELLED.value
        order.cancelled_at = datetime.now(UTC)
        order.cancel_reason = cmd.reason
        order.updated_by = cmd.principal.actor
        await uow.flush()
        # Its reservations are released by a reaction; the payload shows the order after it.
        uow.record(
            OrderCancelled(
                actor=cmd.principal.actor,
                entity_id=order.id,
                before=before,
                after={"status": order.status, "reason": cmd.reason},
                payload=lambda: order_payload(order, lines),
            )
        )
        await uow.commit()
    return OrderView(order, lines)
