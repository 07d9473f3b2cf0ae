"""Allocating an approved order: plan where its lines come from, reserve, explain."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain import order_lines
from app.domain.allocation import (
    Assignment,
    Candidate,
    Need,
    Plan,
    Point,
    Policy,
    Strategy,
    plan_allocation,
)
from app.domain.errors import InvalidState
from app.domain.events import ConsolidationPlanned, OrderAllocated, OrderBackordered
from app.domain.orders import PREPAID_CHANNELS, Channel
from app.repositories.allocation import WarehouseRow
from app.repositories.base import jsonable
from app.repositories.orders import Order, OrderLine
from app.repositories.reservations import OrderAllocation, Reservation
from app.services.allocation.commands import AllocateOrder
from app.services.allocation.explanation import Available, explain
from app.services.allocation.queries import approved_for_update
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


@retrying
async def allocate_order(cmd: AllocateOrder, uow: UnitOfWork, ctx: Context) -> Order:
    """Re-run allocation for an approved order: reserve what is still unallocated."""
    async with uow:
        order, lines = await approved_for_update(uow, cmd.order_id)
        await allocate_in_uow(uow, order, lines, cmd.principal.actor, ctx.settings)
        await uow.commit()
    return order


async def allocate_in_uow(
    uow: UnitOfWork,
    order: Order,
    lines: list[OrderLine],
    actor: str,
    settings: Settings,
) -> Plan:
    """Allocate what an approved order still needs, inside the caller's transaction."""
    expires_at = _expiry(order, settings, datetime.now(UTC))
    needs = [n for n in _needs(lines) if n.quantity > 0]
    product_ids = sorted({n.product_id for n in needs}, key=str)
    warehouses = await uow.cached("warehouse", "active", uow.allocation.active_warehouses)
    available = await uow.allocation.available(product_ids, lock=True)
    policy = await _policy(uow, order)
    plan = plan_allocation(
        needs,
        _candidates(warehouses, available),
        strategy=Strategy(settings.allocation_strategy),
        policy=policy,
        destination=_destination(order),
        allow_consolidation=settings.allocation_consolidation_transfers,
    )
    await _reserve(uow, order, lines, plan, expires_at)
    transfers = await _propose_transfers(uow, order, plan, actor)
    explanation = await explain(uow, order, lines, plan, warehouses, available, transfers, settings)
    await uow.reservations.add_allocation(
        OrderAllocation(
            order_id=order.id,
            actor=actor,
            strategy=settings.allocation_strategy,
            policy=policy.value,
            explanation=jsonable(explanation),
        )
    )
    _record_outcome(uow, order, plan, actor, explanation)
    return plan


def _needs(lines: list[OrderLine]) -> list[Need]:
    return [
        Need(
            x.id, x.product_id, x.sku, x.quantity_ordered - x.quantity_reserved - x.quantity_shipped
        )
        for x in lines
    ]


def _destination(order: Order) -> Point | None:
    lat, lon = order.ship_to.get("latitude"), order.ship_to.get("longitude")
    if lat is None or lon is None:
        return None
    return Point(float(lat), float(lon))


def _expiry(order: Order, settings: Settings, now: datetime) -> datetime | None:
    """An unpaid prepaid order's reservation lasts only so long."""
    if Channel(order.channel) in PREPAID_CHANNELS and order.payment_status != "paid":
        return now + timedelta(minutes=settings.unpaid_reservation_minutes)
    return None


def _candidates(warehouses: list[WarehouseRow], available: Available) -> list[Candidate]:
    return [
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


async def _policy(uow: UnitOfWork, order: Order) -> Policy:
    customer = await uow.customers.get(order.customer_id)
    return Policy(customer.fulfillment_policy if customer else Policy.SHIP_PARTIAL)


async def _reserve(
    uow: UnitOfWork,
    order: Order,
    lines: list[OrderLine],
    plan: Plan,
    expires_at: datetime | None,
) -> None:
    """Take the planned quantities off the stock levels (one guarded update) and hold them in
    the order's reservations and lines."""
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
    for a in assignments:
        _hold(uow, held, order, a, expires_at)
    order_lines.reserve(order, lines, [(a.line_id, a.quantity) for a in assignments])


def _hold(
    uow: UnitOfWork,
    held: dict[tuple[uuid.UUID, uuid.UUID], Reservation],
    order: Order,
    a: Assignment,
    expires_at: datetime | None,
) -> None:
    """Add an assignment to the line's reservation in its warehouse (or start one)."""
    existing = held.get((a.line_id, a.warehouse_id))
    if existing is not None:
        existing.quantity += a.quantity
        return
    held[(a.line_id, a.warehouse_id)] = uow.reservations.add_reservation(
        order_id=order.id,
        order_line_id=a.line_id,
        warehouse_id=a.warehouse_id,
        product_id=a.product_id,
        quantity=a.quantity,
        expires_at=expires_at,
    )


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


def _record_outcome(
    uow: UnitOfWork, order: Order, plan: Plan, actor: str, explanation: dict[str, Any]
) -> None:
    """Allocated, or backordered when something is short (nothing when nothing changed)."""
    if plan.assignments or plan.backordered:
        outcome = OrderBackordered if plan.backordered else OrderAllocated
        uow.record(
            outcome(
                actor=actor,
                entity_id=order.id,
                after={"number": order.number, **jsonable(explanation)},
            )
        )
