"""Allocation of approved orders to warehouses, and the backorder list."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.deps import AUTHENTICATED, BusDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.limits import DAYS_MAX
from app.errors import problem_responses
from app.schemas.allocation import AllocationLine, AllocationRead, BackorderRead, ReservationRead
from app.schemas.common import Page
from app.services.allocation.backorders import list_backorders
from app.services.allocation.commands import AllocateOrder, DeallocateOrder
from app.services.allocation.queries import get_allocations

router = APIRouter(prefix="/api/v1/orders", tags=["orders"], dependencies=AUTHENTICATED)
backorders = APIRouter(prefix="/api/v1/backorders", tags=["backorders"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("orders:read"))]
Allocator = Annotated[Principal, Depends(requires("stock:write"))]


async def _read(uow: UowDep, order_id: uuid.UUID) -> AllocationRead:
    order, lines, reservations, last = await get_allocations(uow, order_id)
    skus = {x.id: x.sku for x in lines}
    return AllocationRead(
        order_id=order.id,
        number=order.number,
        status=order.status,
        fulfillment_status=order.fulfillment_status,
        lines=[
            AllocationLine(
                line_id=x.id,
                sku=x.sku,
                ordered=x.quantity_ordered,
                reserved=x.quantity_reserved,
                shipped=x.quantity_shipped,
                backordered=x.quantity_ordered - x.quantity_reserved - x.quantity_shipped,
            )
            for x in lines
        ],
        reservations=[
            ReservationRead(
                order_line_id=r.order_line_id,
                sku=skus[r.order_line_id],
                warehouse_id=r.warehouse_id,
                quantity=r.quantity,
                expires_at=r.expires_at,
            )
            for r in reservations
        ],
        strategy=last.strategy if last else None,
        policy=last.policy if last else None,
        allocated_at=last.at if last else None,
        explanation=last.explanation if last else None,
    )


@router.get(
    "/{order_id}/allocations",
    response_model=AllocationRead,
    summary="An order's allocation",
    responses=problem_responses(401, 403, 404),
)
async def allocations(order_id: uuid.UUID, uow: UowDep, principal: Reader) -> AllocationRead:
    """What each line holds in which warehouse, what is backordered, and why (the last
    decision's explanation, with in-stock substitutes suggested for short lines)."""
    return await _read(uow, order_id)


@router.post(
    "/{order_id}/allocate",
    response_model=AllocationRead,
    summary="Allocate an approved order again",
    responses=problem_responses(401, 403, 404, 409),
)
async def allocate(
    order_id: uuid.UUID, uow: UowDep, bus: BusDep, principal: Allocator
) -> AllocationRead:
    """Reserve whatever the order still lacks, by the configured strategy."""
    await bus.handle(AllocateOrder(order_id=order_id, principal=principal), uow)
    return await _read(uow, order_id)


@router.post(
    "/{order_id}/deallocate",
    response_model=AllocationRead,
    summary="Release an order's reservations",
    responses=problem_responses(401, 403, 404, 409),
)
async def deallocate(
    order_id: uuid.UUID, uow: UowDep, bus: BusDep, principal: Allocator
) -> AllocationRead:
    """Give back everything the order holds; it stays approved and can be allocated again."""
    await bus.handle(DeallocateOrder(order_id=order_id, principal=principal), uow)
    return await _read(uow, order_id)


@backorders.get(
    "",
    response_model=Page[BackorderRead],
    summary="Backordered lines",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    sku: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: uuid.UUID | None = None,
    min_age_days: Annotated[int | None, Query(ge=0, le=DAYS_MAX)] = None,
) -> Page[BackorderRead]:
    """Unallocated quantities of approved orders by product, customer and age, with the date
    stock is expected."""
    result = await list_backorders(
        uow,
        sku=sku,
        customer_id=customer_id,
        min_age_days=min_age_days,
        limit=page.limit,
        cursor=page.cursor,
        now=datetime.now(UTC),
    )
    return Page(
        items=[BackorderRead.model_validate(b) for b in result.items],
        next_cursor=result.next_cursor,
    )
