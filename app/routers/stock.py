"""Stock: the movements ledger, stock levels and availability."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import AwareDatetime

from app.deps import AUTHENTICATED, BusDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.stock import (
    AvailabilityRead,
    MovementKindName,
    StockLevelRead,
    StockMovementCreate,
    StockMovementRead,
    StockMovementRecorded,
    StockQuantities,
    WarehouseAvailability,
)
from app.services.stock import queries
from app.services.stock.views import RecordedMovement

router = APIRouter(prefix="/api/v1", tags=["stock"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("stock:read"))]
Writer = Annotated[Principal, Depends(requires("stock:write"))]
WarehouseFilter = Annotated[str | None, Query(max_length=64, description="Warehouse code")]
SkuFilter = Annotated[str | None, Query(max_length=64, description="Product SKU")]


@router.post(
    "/stock/movements",
    response_model=StockMovementRecorded,
    status_code=status.HTTP_201_CREATED,
    summary="Record a receipt or an adjustment",
    responses=problem_responses(401, 403, 409, 422),
)
async def create_movement(
    body: StockMovementCreate, uow: UowDep, bus: BusDep, principal: Writer
) -> StockMovementRecorded:
    """Add a movement to the ledger and change on-hand stock with it; 409 `insufficient_stock`
    when it would leave on-hand below zero or below what is reserved."""
    recorded: RecordedMovement = await bus.handle(body.to_command(principal), uow)
    return StockMovementRecorded(
        movement=StockMovementRead.model_validate(recorded.movement),
        level=StockLevelRead.model_validate(recorded.level),
    )


@router.get(
    "/stock/movements",
    response_model=Page[StockMovementRead],
    summary="List stock movements",
    responses=problem_responses(401, 403, 422),
)
async def list_movements(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    warehouse: WarehouseFilter = None,
    sku: SkuFilter = None,
    kind: MovementKindName | None = None,
    reference: Annotated[str | None, Query(max_length=100)] = None,
    created_from: Annotated[AwareDatetime | None, Query(description="Inclusive")] = None,
    created_to: Annotated[AwareDatetime | None, Query(description="Exclusive")] = None,
) -> Page[StockMovementRead]:
    """The ledger, newest first, filtered by warehouse, SKU, kind, reference and time."""
    result = await queries.list_movements(
        uow,
        warehouse=warehouse,
        sku=sku,
        kind=kind,
        reference=reference,
        created_from=created_from,
        created_to=created_to,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(
        items=[StockMovementRead.model_validate(m) for m in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/stock/levels",
    response_model=Page[StockLevelRead],
    summary="List stock levels",
    responses=problem_responses(401, 403, 422),
)
async def list_levels(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    warehouse: WarehouseFilter = None,
    sku: SkuFilter = None,
) -> Page[StockLevelRead]:
    """On-hand, reserved and available stock per warehouse and product."""
    result = await queries.list_levels(
        uow, warehouse=warehouse, sku=sku, limit=page.limit, cursor=page.cursor
    )
    return Page(
        items=[StockLevelRead.model_validate(level) for level in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/availability",
    response_model=AvailabilityRead,
    summary="Availability of a product",
    responses=problem_responses(401, 403, 422),
)
async def availability(
    uow: UowDep,
    principal: Reader,
    sku: Annotated[str, Query(min_length=1, max_length=64, description="Product SKU")],
) -> AvailabilityRead:
    """Available stock of one product in every active warehouse and in total; an unknown SKU
    is 422 `unknown_reference`."""
    result = await queries.availability(uow, sku)
    return AvailabilityRead(
        product_id=result.product_id,
        sku=result.sku,
        uom=result.uom,
        warehouses=[
            WarehouseAvailability(
                warehouse_id=w.warehouse_id,
                warehouse=w.warehouse,
                on_hand=w.position.on_hand,
                reserved=w.position.reserved,
                available=w.position.available,
            )
            for w in result.warehouses
        ],
        total=StockQuantities.model_validate(result.total),
    )
