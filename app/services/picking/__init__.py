"""Pick list use cases (拣货单): create one for chosen orders or a wave, assign a picker,
confirm what was picked. A short pick takes the missing stock off the books and allocates the
orders again in the same transaction, so an order never silently ships short. Every step writes
the audit event and the outbox event in its transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain import order_lines as order_lines_domain
from app.domain.auth import Principal
from app.domain.errors import (
    InsufficientStock,
    NotFound,
    RuleViolation,
    UnknownReference,
    Violations,
)
from app.domain.events import ReservationsReleased, ShortPicked
from app.domain.locations import BinCode
from app.domain.orders import OrderStatus
from app.domain.picking import (
    OPEN_STATUSES,
    SHORT_PICK_REASON,
    Confirmation,
    Demand,
    PickListStatus,
    check_can_change,
    check_confirmation,
    format_pick_list_number,
    plan_pick_lines,
    share_picked,
)
from app.domain.shipments import DEPARTED
from app.domain.stock import MovementKind
from app.repositories.pagination import PageResult
from app.repositories.picking import PickList, PickListFilters, PickListItem, PickListLine
from app.repositories.warehouses import Warehouse
from app.schemas.picking import PickListConfirm, PickListCreate
from app.services.common import retrying
from app.services.recording import jsonable, record_change, snapshot
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

_OPEN = sorted(s.value for s in OPEN_STATUSES)
_DEPARTED = sorted(s.value for s in DEPARTED)


@dataclass(frozen=True)
class PickListLineView:
    line: PickListLine
    items: list[PickListItem]

    @property
    def location(self) -> str | None:
        x = self.line
        if x.zone is None or x.aisle is None or x.shelf is None or x.bin is None:
            return None
        return str(BinCode(x.zone, x.aisle, x.shelf, x.bin))


@dataclass(frozen=True)
class PickListView:
    pick_list: PickList
    warehouse: str
    lines: list[PickListLineView]


def _now() -> datetime:
    return datetime.now(UTC)


async def _views(uow: UnitOfWork, pick_lists: list[PickList]) -> list[PickListView]:
    ids = [p.id for p in pick_lists]
    lines = await uow.pick_lists.lines_of(ids)
    items: dict[uuid.UUID, list[PickListItem]] = {}
    for item in await uow.pick_lists.items(ids):
        items.setdefault(item.line_id, []).append(item)
    codes: dict[uuid.UUID, str] = {}
    for p in pick_lists:
        if p.warehouse_id not in codes:
            warehouse = await uow.warehouses.get(p.warehouse_id)
            codes[p.warehouse_id] = warehouse.code if warehouse else str(p.warehouse_id)
    return [
        PickListView(
            p,
            codes[p.warehouse_id],
            [
                PickListLineView(line, items.get(line.id, []))
                for line in lines
                if line.pick_list_id == p.id
            ],
        )
        for p in pick_lists
    ]


async def _view(uow: UnitOfWork, pick_list: PickList) -> PickListView:
    return (await _views(uow, [pick_list]))[0]


def _after(view: PickListView) -> dict[str, Any]:
    """The audit/outbox image: the columns, the warehouse code, the lines and breakdowns."""
    return snapshot(view.pick_list) | {
        "warehouse": view.warehouse,
        "lines": jsonable(
            [
                {
                    "sku": v.line.sku,
                    "location": v.location,
                    "quantity": v.line.quantity,
                    "picked": v.line.picked,
                    "orders": [
                        {
                            "order_id": i.order_id,
                            "order_number": i.order_number,
                            "order_line_id": i.order_line_id,
                            "quantity": i.quantity,
                            "picked": i.picked,
                        }
                        for i in v.items
                    ],
                }
                for v in view.lines
            ]
        ),
    }


async def _warehouse_by_code(uow: UnitOfWork, code: str) -> Warehouse:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on("warehouse", "exists", f"No warehouse with code '{code}'.")
    return warehouse


async def _locked(uow: UnitOfWork, pick_list_id: uuid.UUID) -> PickList:
    pick_list = await uow.pick_lists.get_for_update(pick_list_id)
    if pick_list is None:
        raise NotFound(f"No pick list with id {pick_list_id}.")
    return pick_list


async def _chosen_orders(
    uow: UnitOfWork, warehouse: Warehouse, order_ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    """The chosen orders, each checked: approved, holding stock here, not on an open list."""
    unique = list(dict.fromkeys(order_ids))
    on_open = await uow.pick_lists.orders_on_open_lists(warehouse.id, unique, _OPEN)
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


@retrying
async def create_pick_list(
    uow: UnitOfWork, data: PickListCreate, principal: Principal
) -> PickListView:
    """A pick list for the chosen orders, or for a wave of the oldest approved orders, with
    lines grouped by product and bin along the walking path."""
    async with uow:
        warehouse = await _warehouse_by_code(uow, data.warehouse)
        if data.order_ids is not None:
            order_ids = await _chosen_orders(uow, warehouse, data.order_ids)
            field = "order_ids"
        else:
            assert data.wave is not None
            order_ids = await uow.pick_lists.wave_orders(
                warehouse.id,
                order_status=OrderStatus.APPROVED.value,
                created_before=data.wave.cutoff,
                open_statuses=_OPEN,
                limit=data.wave.max_orders,
            )
            field = "wave"
        # Lock the orders (one fixed order), then look again: a concurrent pick list may have
        # taken some of them, or they may have changed status, while we were choosing.
        taken = set()
        for order_id in sorted(order_ids, key=str):
            order = await uow.orders.get_for_update(order_id)
            if order is None or order.status != OrderStatus.APPROVED:
                taken.add(order_id)
        taken |= await uow.pick_lists.orders_on_open_lists(warehouse.id, order_ids, _OPEN)
        order_ids = [o for o in order_ids if o not in taken]
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
        planned = plan_pick_lines(
            demands,
            {pid: BinCode(b.zone, b.aisle, b.shelf, b.bin) for pid, b in bins.items()},
        )
        if not planned:
            raise RuleViolation.on(
                field,
                "nothing_to_pick",
                f"No approved order has anything to pick in {warehouse.code}.",
            )
        now = _now()
        pick_list = PickList(
            id=uuid.uuid4(),
            number=format_pick_list_number(now.year, await uow.pick_lists.next_number()),
            warehouse_id=warehouse.id,
            status=PickListStatus.ASSIGNED.value if data.picker else PickListStatus.OPEN.value,
            picker=data.picker,
            created_by=principal.actor,
            updated_by=principal.actor,
            created_at=now,
            updated_at=now,
        )
        uow.pick_lists.add(pick_list)
        await uow.flush()
        lines = []
        for line_no, p in enumerate(planned, start=1):
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
            lines.append((line, p))
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
        view = await _view(uow, pick_list)
        record_change(
            uow,
            principal.actor,
            "pick_list",
            pick_list.id,
            "created",
            None,
            _after(view),
            event="pick_list.created",
        )
        await uow.commit()
    return view


@retrying
async def assign_pick_list(
    uow: UnitOfWork, pick_list_id: uuid.UUID, picker: str, principal: Principal
) -> PickListView:
    """Give an open pick list to a picker (or to another one)."""
    async with uow:
        pick_list = await _locked(uow, pick_list_id)
        check_can_change(pick_list.status, "assigned")
        before = _after(await _view(uow, pick_list))
        pick_list.picker = picker
        pick_list.status = PickListStatus.ASSIGNED.value
        pick_list.updated_by = principal.actor
        pick_list.updated_at = _now()
        await uow.flush()
        view = await _view(uow, pick_list)
        record_change(
            uow,
            principal.actor,
            "pick_list",
            pick_list.id,
            "assigned",
            before,
            _after(view),
            event="pick_list.assigned",
        )
        await uow.commit()
    return view


@retrying
async def confirm_pick_list(
    uow: UnitOfWork,
    pick_list_id: uuid.UUID,
    data: PickListConfirm,
    principal: Principal,
    settings: Settings,
) -> PickListView:
    """Record what was picked. A short pick (less than to pick) means the stock is not there:
    the short part's reservations are released (latest order first), an ``adjustment``
    movement with reason ``short_pick`` takes it off on-hand stock, and the orders concerned
    are allocated again (another warehouse, or a backorder) in the same transaction."""
    async with uow:
        pick_list = await _locked(uow, pick_list_id)
        check_can_change(pick_list.status, "confirmed")
        view = await _view(uow, pick_list)
        before = _after(view)
        check_confirmation(
            {v.line.sku: v.line.quantity for v in view.lines},
            [Confirmation(x.sku, x.picked) for x in data.lines],
        )
        picked = {x.sku: x.picked for x in data.lines}
        # order line → short quantity; product → short total
        short_lines: dict[uuid.UUID, Decimal] = {}
        short_products: dict[uuid.UUID, Decimal] = {}
        short_orders: set[uuid.UUID] = set()
        for v in view.lines:
            v.line.picked = picked[v.line.sku]
            shares = share_picked([i.quantity for i in v.items], v.line.picked)
            for item, share in zip(v.items, shares, strict=True):
                item.picked = share
                if share < item.quantity:
                    short = item.quantity - share
                    short_lines[item.order_line_id] = short
                    short_orders.add(item.order_id)
                    short_products[v.line.product_id] = (
                        short_products.get(v.line.product_id, Decimal(0)) + short
                    )
        if short_products:
            await _take_short_picks(
                uow, pick_list, short_orders, short_lines, short_products, principal, settings
            )
        now = _now()
        pick_list.status = PickListStatus.PICKED.value
        pick_list.picked_at = now
        pick_list.updated_at = now
        pick_list.updated_by = principal.actor
        await uow.flush()
        view = await _view(uow, pick_list)
        record_change(
            uow,
            principal.actor,
            "pick_list",
            pick_list.id,
            "picked",
            before,
            _after(view),
            event="pick_list.picked",
        )
        await uow.commit()
    return view


async def _take_short_picks(
    uow: UnitOfWork,
    pick_list: PickList,
    order_ids: set[uuid.UUID],
    short_lines: dict[uuid.UUID, Decimal],
    short_products: dict[uuid.UUID, Decimal],
    principal: Principal,
    settings: Settings,
) -> None:
    """Release the short part of each order line's reservation here, write the stock off and
    allocate the orders again (a reaction). Locks: orders, then products, then stock rows
    (CONTRIBUTING)."""
    warehouse_id = pick_list.warehouse_id
    orders = []
    for order_id in sorted(order_ids, key=str):
        order = await uow.orders.get_for_update(order_id)
        if order is not None:
            orders.append(order)
    await uow.stock.lock_products(sorted(short_products, key=str))
    await uow.reservations.lock_levels([(warehouse_id, p) for p in short_products])
    order_lines = {}
    for order in orders:
        lines = await uow.orders.lines(order.id)
        order_lines[order.id] = lines
        released = Decimal(0)
        given_back = []
        for r in await uow.reservations.for_order(order.id):
            if r.warehouse_id != warehouse_id or r.order_line_id not in short_lines:
                continue
            amount = await uow.reservations.release(r, short_lines[r.order_line_id])
            given_back.append((r.order_line_id, amount))
            released += amount
        order_lines_domain.release(order, lines, given_back)
        if released:
            uow.record(
                ReservationsReleased(
                    actor=principal.actor,
                    entity_id=order.id,
                    after={
                        "number": order.number,
                        "quantity": str(released),
                        "reason": SHORT_PICK_REASON,
                        "pick_list": pick_list.number,
                    },
                )
            )
    for product_id in sorted(short_products, key=str):
        short = short_products[product_id]
        written_off = await uow.stock.move(
            warehouse_id,
            product_id,
            -short,
            kind=MovementKind.ADJUSTMENT.value,
            actor=principal.actor,
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
            actor=principal.actor,
            entity_id=pick_list.id,
            order_ids=tuple(o.id for o in orders if o.status == OrderStatus.APPROVED),
        )
    )


async def get_pick_list(uow: UnitOfWork, pick_list_id: uuid.UUID) -> PickListView:
    async with uow:
        pick_list = await uow.pick_lists.get(pick_list_id)
        if pick_list is None:
            raise NotFound(f"No pick list with id {pick_list_id}.")
        return await _view(uow, pick_list)


async def list_pick_lists(
    uow: UnitOfWork,
    *,
    warehouse: str | None,
    status: str | None,
    picker: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[PickListView]:
    """Pick lists newest first, each with its lines."""
    async with uow:
        warehouse_id = (await _warehouse_by_code(uow, warehouse)).id if warehouse else None
        page = await uow.pick_lists.page(
            filters=PickListFilters(warehouse_id, status, picker), limit=limit, cursor=cursor
        )
        views = await _views(uow, page.items)
    return PageResult(views, page.next_cursor)
