"""Short-closing an order (sales): it has open quantities nobody will ship. Its reservations
and backorders are released (a reaction to ``OrderShortClosed``: the backorder lists and
allocation skip short-closed orders), and its fulfilment and billing statuses derive from what
was shipped from then on, so once that is delivered, invoiced and paid the order completes.

An order with nothing shipped is cancelled instead; a draft, cancelled or rejected order, one
already short-closed, one fully shipped or one with a shipment still waiting to leave is
refused (409)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain import order_lines
from app.domain.events import OrderShortClosed
from app.domain.orders import LineQuantities, ensure_short_closable
from app.domain.shipments import ShipmentStatus
from app.repositories.shipments import ShipmentFilters
from app.services.bus import Context
from app.services.common import retrying
from app.services.orders.commands import ShortCloseOrder
from app.services.orders.intake import order_payload
from app.services.orders.queries import OrderView
from app.services.unit_of_work import UnitOfWork


@retrying
async def short_close_order(cmd: ShortCloseOrder, uow: UnitOfWork, ctx: Context) -> OrderView:
    """Short-close a partly shipped order with a reason (an action, like cancel: no If-Match;
    the order's lock serialises it with any edit)."""
    cmd.principal.require("orders:write")
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        lines = await uow.orders.lines(order.id)
        waiting = await uow.shipments.page(
            filters=ShipmentFilters(order_id=order.id, status=ShipmentStatus.READY.value),
            limit=1,
            cursor=None,
        )
        ensure_short_closable(
            order.status,
            [LineQuantities(x.quantity_ordered, shipped=x.quantity_shipped) for x in lines],
            order.short_closed_at is not None,
            bool(waiting.items),
        )
        before = {"fulfillment_status": order.fulfillment_status, "short_closed_at": None}
        now = datetime.now(UTC)
        order_lines.short_close(order, lines, now)
        order.short_close_reason = cmd.reason
        order.updated_by = cmd.principal.actor
        await uow.flush()
        # Its reservations are released by a reaction; the payload shows the order after it.
        uow.record(
            OrderShortClosed(
                actor=cmd.principal.actor,
                entity_id=order.id,
                before=before,
                after={"short_closed_at": now.isoformat(), "reason": cmd.reason},
                payload=lambda: order_payload(order, lines),
            )
        )
        await uow.commit()
    return OrderView(order, lines)
