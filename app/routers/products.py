"""Products: the catalogue every order line, price list and stock level refers to."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, IfMatchDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.products import GoodsClass
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.products import ProductCreate, ProductRead, ProductUpdate
from app.services.products import queries

router = APIRouter(prefix="/api/v1/products", tags=["products"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("products:read"))]
Writer = Annotated[Principal, Depends(requires("products:write"))]


@router.post(
    "",
    response_model=ProductRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a product",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: ProductCreate, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> ProductRead:
    """Create a product; its SKU is unique and cannot change later."""
    product = await bus.handle(body.to_command(principal), uow)
    set_etag(product.version)
    return ProductRead.model_validate(product)


@router.get(
    "",
    response_model=Page[ProductRead],
    summary="List products",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    active: bool | None = None,
    goods_class: GoodsClass | None = None,
    preferred_supplier_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=100, description="SKU or name contains")] = None,
) -> Page[ProductRead]:
    """Products by SKU, filtered by active flag, goods class, preferred supplier and text."""
    result = await queries.list_products(
        uow,
        active=active,
        goods_class=goods_class,
        preferred_supplier_id=preferred_supplier_id,
        q=q,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(
        items=[ProductRead.model_validate(p) for p in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{product_id}",
    response_model=ProductRead,
    summary="Get a product",
    responses=problem_responses(401, 403, 404),
)
async def get(
    product_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> ProductRead:
    """One product; the ETag header carries its version for a later update."""
    product = await queries.get_product(uow, product_id)
    set_etag(product.version)
    return ProductRead.model_validate(product)


@router.patch(
    "/{product_id}",
    response_model=ProductRead,
    summary="Update or deactivate a product",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    product_id: uuid.UUID,
    body: ProductUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> ProductRead:
    """Change the given fields (not the SKU); `active: false` deactivates. Needs `If-Match`."""
    product = await bus.handle(body.to_command(principal, product_id, version), uow)
    set_etag(product.version)
    return ProductRead.model_validate(product)
