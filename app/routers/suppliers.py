"""Suppliers: who replenishment buys from."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, IfMatchDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.suppliers import SupplierCreate, SupplierRead, SupplierUpdate
from app.services.suppliers import queries

router = APIRouter(prefix="/api/v1/suppliers", tags=["suppliers"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("suppliers:read"))]
Writer = Annotated[Principal, Depends(requires("suppliers:write"))]


@router.post(
    "",
    response_model=SupplierRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a supplier",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: SupplierCreate, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> SupplierRead:
    """Create a supplier; its code is unique."""
    supplier = await bus.handle(body.to_command(principal), uow)
    set_etag(supplier.version)
    return SupplierRead.model_validate(supplier)


@router.get(
    "",
    response_model=Page[SupplierRead],
    summary="List suppliers",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Code or name contains")] = None,
) -> Page[SupplierRead]:
    """Suppliers by code, filtered by active flag and text."""
    result = await queries.list_suppliers(
        uow, active=active, q=q, limit=page.limit, cursor=page.cursor
    )
    return Page(
        items=[SupplierRead.model_validate(s) for s in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{supplier_id}",
    response_model=SupplierRead,
    summary="Get a supplier",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    supplier_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> SupplierRead:
    """One supplier; the ETag header carries its version for a later update."""
    supplier = await queries.get_supplier(uow, supplier_id)
    set_etag(supplier.version)
    return SupplierRead.model_validate(supplier)


@router.patch(
    "/{supplier_id}",
    response_model=SupplierRead,
    summary="Update or deactivate a supplier",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    supplier_id: uuid.UUID,
    body: SupplierUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> SupplierRead:
    """Change the given fields; `active: false` deactivates. Needs `If-Match`."""
    supplier = await bus.handle(body.to_command(principal, supplier_id, version), uow)
    set_etag(supplier.version)
    return SupplierRead.model_validate(supplier)
