"""Customers: who we sell to, where we ship, on what credit and terms."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, IfMatchDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.customers import CustomerStatus
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.customers import CustomerCreate, CustomerRead, CustomerUpdate
from app.services.customers import queries

router = APIRouter(prefix="/api/v1/customers", tags=["customers"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("customers:read"))]
Writer = Annotated[Principal, Depends(requires("customers:write"))]


@router.post(
    "",
    response_model=CustomerRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a customer",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: CustomerCreate, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> CustomerRead:
    """Create a customer; its code is unique and its price list, if any, must exist. A credit
    limit above `LADING_NEW_CUSTOMER_CREDIT_LIMIT_MAX`, or payment terms above 30 days, needs
    `customers:credit`."""
    customer = await bus.handle(body.to_command(principal), uow)
    set_etag(customer.version)
    return CustomerRead.model_validate(customer)


@router.get(
    "",
    response_model=Page[CustomerRead],
    summary="List customers",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    status: CustomerStatus | None = None,
    active: bool | None = None,
    customer_group: Annotated[str | None, Query(max_length=64)] = None,
    tag: Annotated[str | None, Query(max_length=64, description="Has this tag")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Code or name contains")] = None,
) -> Page[CustomerRead]:
    """Customers by code, filtered by status, active flag, group, tag and text."""
    result = await queries.list_customers(
        uow,
        status=status,
        active=active,
        customer_group=customer_group,
        tag=tag,
        q=q,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(
        items=[CustomerRead.model_validate(c) for c in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{customer_id}",
    response_model=CustomerRead,
    summary="Get a customer",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    customer_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> CustomerRead:
    """One customer; the ETag header carries its version for a later update."""
    customer = await queries.get_customer(uow, customer_id)
    set_etag(customer.version)
    return CustomerRead.model_validate(customer)


@router.patch(
    "/{customer_id}",
    response_model=CustomerRead,
    summary="Update, hold, block or deactivate a customer",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    customer_id: uuid.UUID,
    body: CustomerUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> CustomerRead:
    """Change the given fields; `active: false` deactivates. Needs `If-Match`. Changing the
    credit limit, payment terms, status or currency needs `customers:credit` (finance)."""
    customer = await bus.handle(body.to_command(principal, customer_id, version), uow)
    set_etag(customer.version)
    return CustomerRead.model_validate(customer)
