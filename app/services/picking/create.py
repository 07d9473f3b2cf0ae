"""Create a pick list for the chosen orders or a wave of the oldest approved orders, with
lines grouped by product and bin along the walking path."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from app.domain.errors import RuleViolation, UnknownReference, Violations
from app.domain.events import PickListCreated
from app.domain.locations import BinCode
from app.domain.orders import OrderStatus
from app.domain.picking import (
    Demand,
    PickListStatus,
    PlannedLine,
    format_pick_list_number,
    plan_pick_lines,
)
from app.domain.shipments import DEPARTED
from app.repositories.picking import PickList, PickListItem, PickListLine
from app.repositories.warehouses import Warehouse
from app.services.bus import Context
from app.services.common import retrying
from app.services.picking.commands import CreatePickList
from app.services.picking.views import (
    OPEN,
    PickListView,
    audit_image,
    load_view,
    utcnow,
    warehouse_by_code,
)
from app.services.unit_of_work import UnitOfWork

_DEPARTED = sorted(s.value for s in DEPARTED)


@retrying
async def create_pick_list(cmd: CreatePickList, uow: UnitOfWork, ctx: Context) -> PickListView:
    """A pick list for the chosen orders, or for a wave of the oldest approved orders, with
    lines grouped by product and bin along the walking path."""
    async with uow:
        warehouse = await warehouse_by_code(uow, cmd.warehouse)
        order_ids, field = await _selected(uow, warehouse, cmd)
        order_ids = await _lock_still_free(uow, warehouse, order_ids)
        planned = await _plan(uow, warehouse, order_ids)
        if not planned:
            raise RuleViolation.on(
                field,
                "nothing_to_pick",
                f"No approved order has anything to pick in {warehouse.code}.",
            )
        pick_list = await _add_pick_list(uow, warehouse, cmd, planned)
        view = await load_view(uow, pick_list)
        uow.record(
            PickListCreated(
                actor=cmd.principal.actor, entity_id=pick_list.id, after=audit_image(view)
            )
        )
        await uow.commit()
    return view


async def _selected(
    uow: UnitOfWork, warehouse: Warehouse, cmd: CreatePickList
) -> tuple[list[uuid.UUID], str]:
    """The orders asked for, and the request field they came from."""
    if cmd.order_ids is not None:
        return await _chosen_orders(uow, warehouse, cmd.order_ids), "order_ids"
    assert cmd.wave is not None
    wave = await uow.pick_lists.wave_orders(
        warehouse.id,
        order_status=OrderStatus.APPROVED.value,
        created_before=cmd.wave.cutoff,
        open_statuses=OPEN,
        limit=cmd.wave.max_orders,
    )
    return wave, "wave"


async def _chosen_orders(
    uow: UnitOfWork, warehouse: Warehouse, order_ids: Sequence[uuid.UUID]
) -> list[uuid.UUID]:
    """The chosen orders, each checked: approved, holding stock here, not on an open list."""
    unique = list(dict.fromkeys(order_ids))
    on_open = await uow.pick_lists.orders_on_open_lists(warehouse.id, unique, OPEN)
    holding = {r.order_id for r in await uow.pick_lists.reserved_lines(warehouse.id, unique)}
    unknown, v = Violations(), Violations()
    for i, order_id in enumerate(order_ids):
        order = await uow.orders.get(order_id)
        field = f"order_ids.{i}"
        if order is None:
            unknown.add(field, "exists", f"No order with id {order_id}.")
        elif order.status != OrderStatus.APPROVED:
            v.add(field, "approved", f"Order {order.number} is {order.status}, not approved.")
        elif order_id in on_open:
            v.add(
                field,
                "not_on_open_pick_list",
                f"Order {order.number} is already on an open pick list of {warehouse.code}.",
            )
        elif order_id not in holding:
            v.add(
                field,
                "holds_reservations",
                f"Order {order.number} holds no stock in {warehouse.code}.",
            )
    if unknown.issues:
        raise UnknownReference("Unknown order.", issues=unknown.issues)
    v.raise_if_any()
    return unique


async def _lock_still_free(
    uow: UnitOfWork, warehouse: Warehouse, order_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    """Lock the orders (one fixed order), then look again: a concurrent pick list may have
    taken some of them, or they may have changed status, while we were choosing."""
    taken = set()
    for order_id in sorted(order_ids, key=str):
        order = await uow.orders.get_for_update(order_id)
        if order is None or order.status != OrderStatus.APPROVED:
            taken.add(order_id)
    taken |= await uow.pick_lists.orders_on_open_lists(warehouse.id, order_ids, OPEN)
    return [o for o in order_ids if o not in taken]


async def _plan(
    uow: UnitOfWork, warehouse: Warehouse, order_ids: list[uuid.UUID]
) -> list[PlannedLine]:
    """What the orders' reservations here still need picked, by product along the path."""
    reserved = await uow.pick_lists.reserved_lines(warehouse.id, order_ids)
    line_ids = [r.order_line_id for r in reserved]
    picked = await uow.pick_lists.picked_not_shipped(
        warehouse.id, line_ids, PickListStatus.PICKED.value
    )
    # What confirmed shipments took of those picks no longer holds a reservation.
    departed = await uow.shipments.shipped(warehouse.id, line_ids, _DEPARTED)
    for line_id, quantity in departed.items():
        picked[line_id] = picked.get(line_id, Decimal(0)) - quantity
    demands = [
        Demand(
            r.order_id,
            r.order_number,
            r.order_line_id,
            r.product_id,
            r.sku,
            r.reserved - picked.get(r.order_line_id, Decimal(0)),
        )
        for r in reserved
    ]
    bins = await uow.pick_lists.bins(warehouse.id, {d.product_id for d in demands})
    return plan_pick_lines(
        demands,
        {pid: BinCode(b.zone, b.aisle, b.shelf, b.bin) for pid, b in bins.items()},
    )


async def _add_pick_list(
    uow: UnitOfWork, warehouse: Warehouse, cmd: CreatePickList, planned: list[PlannedLine]
) -> PickList:
    now = utcnow()
    pick_list = PickList(
        id=uuid.uuid4(),
        number=format_pick_list_number(now.year, await uow.pick_lists.next_number()),
        warehouse_id=warehouse.id,
        status=PickListStatus.ASSIGNED.value if cmd.picker else PickListStatus.OPEN.value,
        picker=cmd.picker,
        created_by=cmd.principal.actor,
        updated_by=cmd.principal.actor,
        created_at=now,
        updated_at=now,
    )
    uow.pick_lists.add(pick_list)
    await uow.flush()
    lines = [_add_line(uow, pick_list, line_no, p) for line_no, p in enumerate(planned, start=1)]
    await uow.flush()  # the breakdown rows name their lines
    for line, p in lines:
        for d in p.items:
            uow.pick_lists.add_item(
                PickListItem(
                    id=uuid.uuid4(),
                    pick_list_id=pick_list.id,
                    line_id=line.id,
                    order_id=d.order_id,
                    order_line_id=d.order_line_id,
                    order_number=d.order_number,
                    quantity=d.quantity,
                )
            )
    await uow.flush()
    return pick_list


def _add_line(
    uow: UnitOfWork, pick_list: PickList, line_no: int, p: PlannedLine
) -> tuple[PickListLine, PlannedLine]:
    line = PickListLine(
        id=uuid.uuid4(),
        pick_list_id=pick_list.id,
        line_no=line_no,
        product_id=p.product_id,
        sku=p.sku,
        zone=p.location.zone if p.location else None,
        aisle=p.location.aisle if p.location else None,
        shelf=p.location.shelf if p.location else None,
        bin=p.location.bin if p.location else None,
        quantity=p.quantity,
    )
    uow.pick_lists.add_line(line)
    return line, p
