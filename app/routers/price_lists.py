"""Price lists: customer and group prices with quantity breaks and validity dates."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, IfMatchDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.price_lists import PriceListKind
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.price_lists import PriceListCreate, PriceListRead, PriceListUpdate
from app.services.price_lists import queries

router = APIRouter(prefix="/api/v1/price-lists", tags=["price-lists"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("price-lists:read"))]
Writer = Annotated[Principal, Depends(requires("price-lists:write"))]


@router.post(
    "",
    response_model=PriceListRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a price list",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: PriceListCreate, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> PriceListRead:
    """Create a price list with its items (products given by SKU); its code is unique."""
    price_list = await bus.handle(body.to_command(principal), uow)
    set_etag(price_list.version)
    return PriceListRead.model_validate(price_list)


@router.get(
    "",
    response_model=Page[PriceListRead],
    summary="List price lists",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    active: bool | None = None,
    kind: PriceListKind | None = None,
    customer_group: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=100, description="Code or name contains")] = None,
) -> Page[PriceListRead]:
    """Price lists by code, with their items, filtered by active flag, kind, group and text."""
    result = await queries.list_price_lists(
        uow,
        active=active,
        kind=kind,
        customer_group=customer_group,
        q=q,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(
        items=[PriceListRead.model_validate(p) for p in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{price_list_id}",
    response_model=PriceListRead,
    summary="Get a price list",
    responses=problem_responses(401, 403, 404),
)
async def get(
    price_list_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> PriceListRead:
    """One price list with its items; the ETag header carries its version."""
    price_list = await queries.get_price_list(uow, price_list_id)
    set_etag(price_list.version)
    return PriceListRead.model_validate(price_list)


@router.patch(
    "/{price_list_id}",
    response_model=PriceListRead,
    summary="Update, reprice or deactivate a price list",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    price_list_id: uuid.UUID,
    body: PriceListUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> PriceListRead:
    """Change the given fields (`items` replaces them all); needs `If-Match`."""
    price_list = await bus.handle(body.to_command(principal, price_list_id, version), uow)
    set_etag(price_list.version)
    return PriceListRead.model_validate(price_list)
