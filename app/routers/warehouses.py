"""Warehouses and the bin location of each product in them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, IfMatchDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.warehouses import (
    BinLocationRead,
    BinLocationSet,
    WarehouseCreate,
    WarehouseRead,
    WarehouseUpdate,
)
from app.services.warehouses import bins, queries

router = APIRouter(prefix="/api/v1/warehouses", tags=["warehouses"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("warehouses:read"))]
Writer = Annotated[Principal, Depends(requires("warehouses:write"))]


@router.post(
    "",
    response_model=WarehouseRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a warehouse",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: WarehouseCreate, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> WarehouseRead:
    """Create a warehouse; its code is unique."""
    warehouse = await bus.handle(body.to_command(principal), uow)
    set_etag(warehouse.version)
    return WarehouseRead.model_validate(warehouse)


@router.get(
    "",
    response_model=Page[WarehouseRead],
    summary="List warehouses",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Code or name contains")] = None,
) -> Page[WarehouseRead]:
    """Warehouses by code, filtered by active flag and text."""
    result = await queries.list_warehouses(
        uow, active=active, q=q, limit=page.limit, cursor=page.cursor
    )
    return Page(
        items=[WarehouseRead.model_validate(w) for w in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{warehouse_id}",
    response_model=WarehouseRead,
    summary="Get a warehouse",
    responses=problem_responses(401, 403, 404),
)
async def get(
    warehouse_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> WarehouseRead:
    """One warehouse; the ETag header carries its version for a later update."""
    warehouse = await queries.get_warehouse(uow, warehouse_id)
    set_etag(warehouse.version)
    return WarehouseRead.model_validate(warehouse)


@router.patch(
    "/{warehouse_id}",
    response_model=WarehouseRead,
    summary="Update or deactivate a warehouse",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    warehouse_id: uuid.UUID,
    body: WarehouseUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> WarehouseRead:
    """Change the given fields; `active: false` deactivates. Needs `If-Match`."""
    warehouse = await bus.handle(body.to_command(principal, warehouse_id, version), uow)
    set_etag(warehouse.version)
    return WarehouseRead.model_validate(warehouse)


@router.put(
    "/{warehouse_id}/bins/{sku}",
    response_model=BinLocationRead,
    summary="Set a product's bin location",
    responses=problem_responses(401, 403, 404, 422),
)
async def set_bin(
    warehouse_id: uuid.UUID,
    sku: str,
    body: BinLocationSet,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
) -> BinLocationRead:
    """Put a product in a bin (zone-aisle-shelf-bin), or move it."""
    return _bin_read(await bus.handle(body.to_command(principal, warehouse_id, sku), uow))


@router.get(
    "/{warehouse_id}/bins",
    response_model=Page[BinLocationRead],
    summary="List bin locations",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_bins(
    warehouse_id: uuid.UUID, uow: UowDep, principal: Reader, page: PageDep
) -> Page[BinLocationRead]:
    """The bin of every product placed in the warehouse."""
    result = await bins.list_bin_locations(uow, warehouse_id, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[_bin_read(placed) for placed in result.items], next_cursor=result.next_cursor
    )


def _bin_read(placed: bins.PlacedProduct) -> BinLocationRead:
    code = placed.location
    return BinLocationRead(
        warehouse_id=placed.warehouse_id,
        sku=placed.sku,
        location=str(code),
        zone=code.zone,
        aisle=code.aisle,
        shelf=code.shelf,
        bin=code.bin,
    )
