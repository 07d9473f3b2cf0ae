"""Editing an order: its fields change, its lines are replaced or re-priced, and a reviewed
order goes through review again (a reaction)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain import order_lines, payments
from app.domain.events import OrderEdited, OrderEditStarted
from app.domain.orders import LineQuantities, OrderStatus, ensure_editable
from app.repositories.customers import Customer
from app.repositories.orders import Order, OrderLine
from app.services.bus import Context
from app.services.common import check_version, retrying
from app.services.orders.commands import EditOrder
from app.services.orders.intake import (
    apply_pricing,
    check_request,
    order_payload,
    requested_again,
    ship_to,
)
from app.services.orders.pricing import price_requested_lines
from app.services.orders.queries import OrderView
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

# Order fields an edit sets as given.
_PLAIN_FIELDS = ("requested_delivery_date", "priority", "notes", "discount_percent")


@retrying
async def edit_order(cmd: EditOrder, uow: UnitOfWork, ctx: Context) -> OrderView:
    """Edit an order and re-price it."""
    now = datetime.now(UTC)
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        check_version(order, cmd.expected_version)
        lines = await uow.orders.lines(order.id)
        ensure_editable(
            order.status,
            [
                LineQuantities(x.quantity_ordered, x.quantity_reserved, x.quantity_shipped)
                for x in lines
            ],
        )
        before = order_payload(order, lines)
        # The lines are replaced and reviewed again: whatever they held goes back first (a
        # reaction, published now, before the old lines are deleted).
        uow.record(OrderEditStarted(actor=cmd.principal.actor, entity_id=order.id))
        await uow.publish()
        check_request(
            line_count=len(cmd.lines) if cmd.lines is not None else len(lines),
            max_lines=ctx.settings.order_max_lines,
            requested_delivery_date=cmd.requested_delivery_date,
            today=now.date(),
        )
        customer = await uow.customers.get(order.customer_id)
        assert customer is not None
        _apply_changes(order, customer, cmd)
        new_lines = await _reprice(uow, order, customer, cmd, lines, ctx.settings, now)
        # A new total may leave a payment short of it (or cover it again).
        order.payment_status = payments.standing(
            order.payment_status, order.payment_amount, order.total
        )
        order.updated_by = cmd.principal.actor
        order.updated_at = now
        await uow.flush()
        _record_edited(uow, cmd, order, before, order_payload(order, new_lines), now)
        await uow.commit()
    return OrderView(order, new_lines)


def _apply_changes(order: Order, customer: Customer, cmd: EditOrder) -> None:
    if "ship_to" in cmd.given or "ship_to_id" in cmd.given:
        order.ship_to = ship_to(customer, cmd.ship_to, cmd.ship_to_id)
    for name in _PLAIN_FIELDS:
        if name in cmd.given:
            setattr(order, name, getattr(cmd, name))


async def _reprice(
    uow: UnitOfWork,
    order: Order,
    customer: Customer,
    cmd: EditOrder,
    lines: list[OrderLine],
    settings: Settings,
    now: datetime,
) -> list[OrderLine]:
    """Price the given lines (or the order's own again) and put them in place of the old."""
    requested = list(cmd.lines) if cmd.lines is not None else requested_again(lines)
    priced = await price_requested_lines(
        uow,
        customer=customer,
        currency=order.currency,
        requested=requested,
        order_discount_percent=order.discount_percent,
        on=now.date(),
        tax_inclusive=settings.prices_include_tax,
        principal=cmd.principal,
    )
    for line in lines:
        await uow.orders.delete_line(line)
    await uow.flush()
    new_lines = apply_pricing(order, priced)
    for line in new_lines:
        uow.orders.add_line(line)
    order_lines.refresh(order, new_lines)
    return new_lines


def _record_edited(
    uow: UnitOfWork,
    cmd: EditOrder,
    order: Order,
    before: dict[str, object],
    after: dict[str, object],
    now: datetime,
) -> None:
    """Editing a reviewed order sends it back through review (a reaction); earlier
    approvals lapse."""
    uow.record(
        OrderEdited(
            actor=cmd.principal.actor,
            entity_id=order.id,
            before=before,
            after=after,
            reviewed_before=order.status != OrderStatus.DRAFT,
            on=now.date(),
        )
    )
