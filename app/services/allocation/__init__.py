"""Allocation and reservation use cases: promise real stock to approved orders, never twice.

Reserving: the stock rows an allocation may touch are locked in one fixed order (product, then
warehouse) before their availability is read, and each reservation is also a guarded UPDATE, so
concurrent orders can neither oversell nor deadlock on each other. Releasing (cancel, reject,
deallocate, expiry, a reduced quantity) gives back reserved stock in the same transaction.

Modules: ``commands`` (what the routers and the worker send), ``allocate`` (allocation of an
approved order), ``explanation`` (why it got what it got), ``release`` (giving stock back,
deallocation, expiry of unpaid reservations), ``backorders`` (stock arrived; the backorder
list), ``reactions`` (the bus's handlers) and ``queries``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.domain import order_lines
from app.domain.allocation import (
    Candidate,
    Need,
    Plan,
    Point,
    Policy,
    Strategy,
    plan_allocation,
)
from app.domain.auth import Principal
from app.domain.errors import InvalidState, NotFound
from app.domain.events import (
    ConsolidationPlanned,
    Event,
    OrderAllocated,
    OrderApproved,
    OrderBackordered,
    OrderCancelled,
    OrderEditStarted,
    OrderRejected,
    ReservationExpired,
    ReservationsReleased,
    ShortPicked,
    StockArrived,
)
from app.domain.orders import PREPAID_CHANNELS, Channel, OrderStatus
from app.repositories.base import jsonable
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult
from app.repositories.reservations import OrderAllocation
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

BACKORDER_BATCH = 200


def _destination(order: Order) -> Point | None:
    lat, lon = order.ship_to.get("latitude"), order.ship_to.get("longitude")
    if lat is None or lon is None:
        return None
    return Point(float(lat), float(lon))


def _needs(lines: list[OrderLine]) -> list[Need]:
    return [
        Need(
            x.id, x.product_id, x.sku, x.quantity_ordered - x.quantity_reserved - x.quantity_shipped
        )
        for x in lines
    ]


def _expiry(order: Order, settings: Settings, now: datetime) -> datetime | None:
    """An unpaid prepaid order's reservation lasts only so long."""
    if Channel(order.channel) in PREPAID_CHANNELS and order.payment_status != "paid":
        return now + timedelta(minutes=settings.unpaid_reservation_minutes)
    return None


async def on_order_approved(event: OrderApproved, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: an approved order is allocated at once."""
    order = await uow.orders.get_for_update(event.entity_uuid)
    assert order is not None
    await allocate_in_uow(uow, order, await uow.orders.lines(order.id), event.actor, ctx.settings)


RELEASE_REASONS: dict[type[Event], str] = {
    OrderCancelled: "cancelled",
    OrderRejected: "rejected",
    OrderEditStarted: "order edited",
}


async def on_order_released(event: Event, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: a cancelled, rejected or re-opened order gives back what it holds."""
    order = await uow.orders.get_for_update(event.entity_uuid)
    assert order is not None
    lines = await uow.orders.lines(order.id)
    await release_in_uow(uow, order, lines, event.actor, reason=RELEASE_REASONS[type(event)])


async def on_stock_arrived(event: StockArrived, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: stock arrived, so the orders waiting for it are allocated (how many were
    looked at goes to the event's results)."""
    looked_at = await allocate_backorders(uow, list(event.product_ids), event.actor, ctx.settings)
    event.results.append(looked_at)


async def on_short_picked(event: ShortPicked, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: the approved orders a short pick served are allocated from other stock."""
    for order_id in event.order_ids:
        order = await uow.orders.get_for_update(order_id)
        if order is not None and order.status == OrderStatus.APPROVED:
            lines = await uow.orders.lines(order.id)
            await allocate_in_uow(uow, order, lines, event.actor, ctx.settings)


async def allocate_in_uow(
    uow: UnitOfWork,
    order: Order,
    lines: list[OrderLine],
    actor: str,
    settings: Settings,
) -> Plan:
    """Allocate what an approved order still needs, inside the caller's transaction."""
    now = datetime.now(UTC)
    needs = [n for n in _needs(lines) if n.quantity > 0]
    product_ids = sorted({n.product_id for n in needs}, key=str)
    warehouses = await uow.allocation.active_warehouses()
    await uow.stock.lock_products(product_ids)
    available = await uow.allocation.available(product_ids, lock=True)
    candidates = [
        Candidate(
            w.id,
            w.code,
            w.priority,
            Point(float(w.latitude), float(w.longitude))
            if w.latitude is not None and w.longitude is not None
            else None,
            available.get(w.id, {}),
        )
        for w in warehouses
    ]
    customer = await uow.customers.get(order.customer_id)
    policy = Policy(customer.fulfillment_policy if customer else Policy.SHIP_PARTIAL)
    plan = plan_allocation(
        needs,
        candidates,
        strategy=Strategy(settings.allocation_strategy),
        policy=policy,
        destination=_destination(order),
        allow_consolidation=settings.allocation_consolidation_transfers,
    )
    by_line = {x.id: x for x in lines}
    expires_at = _expiry(order, settings, now)
    held = (
        {(r.order_line_id, r.warehouse_id): r for r in await uow.reservations.for_order(order.id)}
        if any(x.quantity_reserved for x in lines)
        else {}
    )
    assignments = sorted(plan.assignments, key=lambda a: (str(a.product_id), str(a.warehouse_id)))
    reserved = await uow.reservations.reserve_stock(
        [(a.warehouse_id, a.product_id, a.quantity) for a in assignments]
    )
    if not reserved:  # pragma: no cover - the rows are locked, so the plan still holds
        raise InvalidState("Stock changed during allocation; retry.", code="retry")
    reserved_lines = []
    for a in assignments:
        existing = held.get((a.line_id, a.warehouse_id))
        if existing is not None:
            existing.quantity += a.quantity
        else:
            held[(a.line_id, a.warehouse_id)] = uow.reservations.add_reservation(
                order_id=order.id,
                order_line_id=a.line_id,
                warehouse_id=a.warehouse_id,
                product_id=a.product_id,
                quantity=a.quantity,
                expires_at=expires_at,
            )
        reserved_lines.append((a.line_id, a.quantity))
    order_lines.reserve(order, lines, reserved_lines)
    transfer_numbers = await _propose_transfers(uow, order, plan, actor)
    explanation = plan.explanation() | {
        "backordered": {by_line[k].sku: str(v) for k, v in plan.backordered.items()},
        "reserved": [
            {
                "sku": by_line[a.line_id].sku,
                "warehouse": _code(warehouses, a.warehouse_id),
                "quantity": str(a.quantity),
            }
            for a in plan.assignments
        ],
        "transfers": transfer_numbers,
        "substitutes": await _substitutes(uow, lines, plan, available),
    }
    await uow.reservations.add_allocation(
        OrderAllocation(
            order_id=order.id,
            actor=actor,
            strategy=settings.allocation_strategy,
            policy=policy.value,
            explanation=jsonable(explanation),
        )
    )
    if plan.assignments or plan.backordered:
        outcome = OrderBackordered if plan.backordered else OrderAllocated
        uow.record(
            outcome(
                actor=actor,
                entity_id=order.id,
                after={"number": order.number, **jsonable(explanation)},
            )
        )
    return plan


def _code(warehouses: list[Any], warehouse_id: uuid.UUID) -> str:
    return next((w.code for w in warehouses if w.id == warehouse_id), str(warehouse_id))


async def _substitutes(
    uow: UnitOfWork,
    lines: list[OrderLine],
    plan: Plan,
    available: dict[uuid.UUID, dict[uuid.UUID, Decimal]],
) -> dict[str, list[dict[str, str]]]:
    """In-stock substitutes for short lines: suggested, never applied."""
    short = [x for x in lines if x.id in plan.backordered]
    if not short:
        return {}
    out: dict[str, list[dict[str, str]]] = {}
    for line in short:
        product = await uow.products.get(line.product_id)
        if product is None or not product.substitutes:
            continue
        subs = await uow.products.get_many_by_sku(list(product.substitutes))
        sub_stock = await uow.allocation.available([p.id for p in subs.values()])
        offers = []
        for sku, sub in sorted(subs.items()):
            total = sum((per.get(sub.id, Decimal(0)) for per in sub_stock.values()), Decimal(0))
            if sub.active and total > 0:
                offers.append({"sku": sku, "name": sub.name, "available": str(total)})
        if offers:
            out[line.sku] = offers
    return out


async def _propose_transfers(uow: UnitOfWork, order: Order, plan: Plan, actor: str) -> list[str]:
    """The consolidation transfers a ship-complete plan asks for are drafted by a reaction,
    published at once: the allocation's explanation names them."""
    if not plan.transfers:
        return []
    planned = ConsolidationPlanned(
        actor=actor,
        entity_id=order.id,
        moves=tuple(
            (t.from_warehouse_id, t.to_warehouse_id, t.product_id, t.quantity)
            for t in plan.transfers
        ),
    )
    uow.record(planned)
    await uow.publish()
    return [str(number) for number in planned.results]


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


async def _approved(uow: UnitOfWork, order_id: uuid.UUID) -> tuple[Order, list[OrderLine]]:
    order = await uow.orders.get_for_update(order_id)
    if order is None:
        raise NotFound(f"No order with id {order_id}.")
    if order.status != OrderStatus.APPROVED:
        raise InvalidState(
            f"Only approved orders are allocated; this one is {order.status}.",
            code="order_not_approved",
        )
    return order, await uow.orders.lines(order.id)


@retrying
async def allocate(
    uow: UnitOfWork, order_id: uuid.UUID, principal: Principal, settings: Settings
) -> Order:
    """Re-run allocation for an approved order: reserve what is still unallocated."""
    async with uow:
        order, lines = await _approved(uow, order_id)
        await allocate_in_uow(uow, order, lines, principal.actor, settings)
        await uow.commit()
    return order


@retrying
async def deallocate(uow: UnitOfWork, order_id: uuid.UUID, principal: Principal) -> Order:
    async with uow:
        order, lines = await _approved(uow, order_id)
        await release_in_uow(uow, order, lines, principal.actor, reason="deallocated")
        await uow.commit()
    return order


async def allocate_backorders(
    uow: UnitOfWork,
    product_ids: list[uuid.UUID],
    actor: str,
    settings: Settings,
) -> int:
    """Stock arrived: allocate waiting orders of these products, in priority order, inside the
    caller's transaction. Returns how many orders were looked at."""
    order_ids = await uow.allocation.orders_waiting_for(product_ids, BACKORDER_BATCH)
    for order_id in order_ids:
        order = await uow.orders.get_for_update(order_id)
        if order is None or order.status != OrderStatus.APPROVED:
            continue
        await allocate_in_uow(uow, order, await uow.orders.lines(order.id), actor, settings)
    return len(order_ids)


@retrying
async def expire_unpaid_reservations(
    uow: UnitOfWork, principal: Principal, now: datetime | None = None
) -> int:
    """Release the reservations of unpaid prepaid orders whose time ran out (worker job)."""
    now = now or datetime.now(UTC)
    async with uow:
        order_ids = await uow.reservations.expired_orders(now)
        for order_id in order_ids:
            order = await uow.orders.get_for_update(order_id)
            if order is None or order.payment_status == "paid":
                continue
            await release_in_uow(
                uow,
                order,
                await uow.orders.lines(order.id),
                principal.actor,
                reason="reservation expired",
            )
            uow.record(
                ReservationExpired(
                    actor=principal.actor, entity_id=order.id, after={"number": order.number}
                )
            )
        await uow.commit()
    return len(order_ids)


async def get_allocations(
    uow: UnitOfWork, order_id: uuid.UUID
) -> tuple[Order, list[OrderLine], list[Any], OrderAllocation | None]:
    async with uow:
        order = await uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.")
        return (
            order,
            await uow.orders.lines(order.id),
            await uow.reservations.for_order(order.id),
            await uow.reservations.latest_allocation(order.id),
        )


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
        expected = await _expected_dates(uow, [x.product_id for x in page.items])
    items = []
    for x in page.items:
        o = orders[x.order_id]
        items.append(
            Backorder(
                o.id,
                o.number,
                x.id,
                x.sku,
                o.customer_id,
                o.customer_code,
                x.quantity_ordered - x.quantity_reserved - x.quantity_shipped,
                o.priority,
                o.requested_delivery_date,
                (now - o.created_at).days,
                expected.get(x.product_id),
            )
        )
    return PageResult(items, page.next_cursor)


async def _expected_dates(uow: UnitOfWork, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, date]:
    """The earliest date stock is expected: open purchase orders and transfers in transit."""
    from app.services.purchasing.queries import open_purchase_quantities

    if not product_ids:
        return {}
    open_orders = await open_purchase_quantities(uow, product_ids)
    return {product_id: when for product_id, (_, when) in open_orders.items() if when}
