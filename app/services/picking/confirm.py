"""Confirm what was picked. A short pick (less than to pick) means the stock is not there: the
short part's reservations are released (latest order first), an ``adjustment`` movement with
reason ``short_pick`` takes it off on-hand stock, and the orders concerned are allocated again
(another warehouse, or a backorder: the ``ShortPicked`` reaction) in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from app.domain import order_lines as order_lines_domain
from app.domain.errors import InsufficientStock
from app.domain.events import PickListPicked, ReservationsReleased, ShortPicked
from app.domain.orders import OrderStatus
from app.domain.picking import (
    SHORT_PICK_REASON,
    PickListStatus,
    check_can_change,
    check_confirmation,
    share_picked,
)
from app.domain.stock import MovementKind
from app.repositories.orders import Order
from app.repositories.picking import PickList
from app.services.bus import Context
from app.services.common import retrying
from app.services.picking.commands import ConfirmPickList
from app.services.picking.views import PickListView, audit_image, load_view, utcnow
from app.services.unit_of_work import UnitOfWork


@dataclass
class Shortfall:
    """What a confirmation found missing: order line → short quantity, product → short
    total, and the orders concerned."""

    lines: dict[uuid.UUID, Decimal] = field(default_factory=dict)
    products: dict[uuid.UUID, Decimal] = field(default_factory=dict)
    orders: set[uuid.UUID] = field(default_factory=set)


@retrying
async def confirm_pick_list(cmd: ConfirmPickList, uow: UnitOfWork, ctx: Context) -> PickListView:
    """Record what was picked; write a short pick off and allocate its orders again."""
    actor = cmd.principal.actor
    async with uow:
        pick_list = await uow.pick_lists.get_for_update_or_raise(cmd.pick_list_id)
        check_can_change(pick_list.status, "confirmed")
        view = await load_view(uow, pick_list)
        before = audit_image(view)
        check_confirmation({v.line.sku: v.line.quantity for v in view.lines}, list(cmd.lines))
        shortfall = _apply_picked(view, {x.sku: x.picked for x in cmd.lines})
        if shortfall.products:
            await _take_short_picks(uow, pick_list, shortfall, actor)
        now = utcnow()
        pick_list.status = PickListStatus.PICKED.value
        pick_list.picked_at = now
        pick_list.updated_at = now
        pick_list.updated_by = actor
        await uow.flush()
        view = await load_view(uow, pick_list)
        uow.record(
            PickListPicked(
                actor=actor, entity_id=pick_list.id, before=before, after=audit_image(view)
            )
        )
        await uow.commit()
    return view


def _apply_picked(view: PickListView, picked: dict[str, Decimal]) -> Shortfall:
    """Set each line's picked quantity and share it over the orders, oldest first."""
    shortfall = Shortfall()
    for v in view.lines:
        v.line.picked = picked[v.line.sku]
        shares = share_picked([i.quantity for i in v.items], v.line.picked)
        for item, share in zip(v.items, shares, strict=True):
            item.picked = share
            if share < item.quantity:
                short = item.quantity - share
                shortfall.lines[item.order_line_id] = short
                shortfall.orders.add(item.order_id)
                shortfall.products[v.line.product_id] = (
                    shortfall.products.get(v.line.product_id, Decimal(0)) + short
                )
    return shortfall


async def _take_short_picks(
    uow: UnitOfWork, pick_list: PickList, shortfall: Shortfall, actor: str
) -> None:
    """Release the short part of each order line's reservation here, write the stock off and
    allocate the orders again (a reaction). Locks: orders, then products, then stock rows
    (CONTRIBUTING)."""
    warehouse_id = pick_list.warehouse_id
    orders = []
    for order_id in sorted(shortfall.orders, key=str):
        order = await uow.orders.get_for_update(order_id)
        if order is not None:
            orders.append(order)
    await uow.stock.lock_products(sorted(shortfall.products, key=str))
    await uow.reservations.lock_levels([(warehouse_id, p) for p in shortfall.products])
    for order in orders:
        await _release_short(uow, pick_list, order, shortfall.lines, actor)
    for product_id in sorted(shortfall.products, key=str):
        written_off = await uow.stock.move(
            warehouse_id,
            product_id,
            -shortfall.products[product_id],
            kind=MovementKind.ADJUSTMENT.value,
            actor=actor,
            reason=SHORT_PICK_REASON,
            reference=pick_list.number,
        )
        if written_off is None:
            raise InsufficientStock(
                "The short pick cannot be written off: the stock is reserved by other orders.",
                code="insufficient_stock",
            )
    uow.record(
        ShortPicked(
            actor=actor,
            entity_id=pick_list.id,
            order_ids=tuple(o.id for o in orders if o.status == OrderStatus.APPROVED),
        )
    )


async def _release_short(
    uow: UnitOfWork,
    pick_list: PickList,
    order: Order,
    short_lines: dict[uuid.UUID, Decimal],
    actor: str,
) -> None:
    """Give back the short part of the order's reservations in the pick list's warehouse."""
    lines = await uow.orders.lines(order.id)
    released = Decimal(0)
    given_back = []
    for r in await uow.reservations.for_order(order.id):
        if r.warehouse_id != pick_list.warehouse_id or r.order_line_id not in short_lines:
            continue
        amount = await uow.reservations.release(r, short_lines[r.order_line_id])
        given_back.append((r.order_line_id, amount))
        released += amount
    order_lines_domain.release(order, lines, given_back)
    if released:
        uow.record(
            ReservationsReleased(
                actor=actor,
                entity_id=order.id,
                after={
                    "number": order.number,
                    "quantity": str(released),
                    "reason": SHORT_PICK_REASON,
                    "pick_list": pick_list.number,
                },
            )
        )
