"""Returns (RMA, 退货): requested for delivered lines, approved or refused, received and
inspected, resolved by refund, replacement or exchange."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.deps import (
    AUTHENTICATED,
    BusDep,
    ETagDep,
    IdempotencyKey,
    PageDep,
    UowDep,
    requires,
)
from app.domain.after_sales.returns import ReturnStatus, held
from app.domain.auth import RETURNS_APPROVE, Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.return_receipts import QuarantinedRead
from app.schemas.returns import ReturnCreate, ReturnLineRead, ReturnRead, ReturnRefuse
from app.services.after_sales.returns import queries
from app.services.after_sales.returns.commands import ApproveReturn
from app.services.after_sales.returns.views import ReturnResult, ReturnView

router = APIRouter(prefix="/api/v1/returns", tags=["returns"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("returns:read"))]
Writer = Annotated[Principal, Depends(requires("returns:write"))]
Approver = Annotated[Principal, Depends(requires(RETURNS_APPROVE))]


def return_read(view: ReturnView) -> ReturnRead:
    data = {k: getattr(view.ret, k) for k in ReturnRead.model_fields if k != "lines"}
    return ReturnRead(**data, lines=[ReturnLineRead.model_validate(x) for x in view.lines])


@router.post(
    "",
    response_model=ReturnRead,
    status_code=status.HTTP_201_CREATED,
    summary="Request a return",
    responses={
        200: {"model": ReturnRead, "description": "It existed already under this Idempotency-Key"},
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def create(
    body: ReturnCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    response: Response,
    set_etag: ETagDep,
    idempotency_key: IdempotencyKey = None,
) -> ReturnRead:
    """A return (RMA) of delivered lines, within their return window and no more than was
    delivered less what is returned or on other open returns; approved at once when worth less
    than the review settings' ``return_auto_approve_max``. An API key requests returns only
    for orders of its own channel."""
    result: ReturnResult = await bus.handle(body.to_command(principal, idempotency_key), uow)
    view = result.view
    if not result.created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/api/v1/returns/{view.ret.id}"
    set_etag(view.ret.version)
    return return_read(view)


@router.get(
    "",
    response_model=Page[ReturnRead],
    summary="List returns",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    status_: Annotated[ReturnStatus | None, Query(alias="status")] = None,
    order_id: uuid.UUID | None = None,
    customer_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
) -> Page[ReturnRead]:
    """Returns, newest first, by status, order, customer or case."""
    f = queries.ReturnFilter(
        status=status_.value if status_ else None,
        order_id=order_id,
        customer_id=customer_id,
        case_id=case_id,
    )
    result = await queries.list_returns(uow, f, limit=page.limit, cursor=page.cursor)
    return Page(items=[return_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/quarantine",
    response_model=Page[QuarantinedRead],
    summary="List quarantined returned goods",
    responses=problem_responses(401, 403, 422),
)
async def quarantine(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    warehouse: Annotated[str | None, Query(max_length=64, description="Warehouse code")] = None,
) -> Page[QuarantinedRead]:
    """Returned goods held apart (not available to allocation), per return line."""
    result = await queries.quarantine(uow, warehouse, limit=page.limit, cursor=page.cursor)
    items = [
        QuarantinedRead(
            return_id=r.id,
            return_number=r.number,
            return_line_id=x.id,
            sku=x.sku,
            warehouse=code,
            held=held(x.quarantined, x.released, x.quarantine_scrapped),
        )
        for r, x, code in result.items
    ]
    return Page(items=items, next_cursor=result.next_cursor)


@router.get(
    "/{return_id}",
    response_model=ReturnRead,
    summary="Get a return",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    return_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> ReturnRead:
    """One return with its lines, how it comes back and how it was resolved."""
    view = await queries.get_return(uow, return_id)
    set_etag(view.ret.version)
    return return_read(view)


@router.post(
    "/{return_id}/approve",
    response_model=ReturnRead,
    summary="Approve a return",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def approve(
    return_id: uuid.UUID,
    bus: BusDep,
    uow: UowDep,
    principal: Approver,
    set_etag: ETagDep,
) -> ReturnRead:
    """Approve a requested return (the roles the review settings name, or an admin); 409
    ``return_not_requested`` for one decided already. An action: no If-Match; audited."""
    cmd = ApproveReturn(principal=principal, return_id=return_id)
    view: ReturnView = await bus.handle(cmd, uow)
    set_etag(view.ret.version)
    return return_read(view)


@router.post(
    "/{return_id}/refuse",
    response_model=ReturnRead,
    summary="Refuse a return",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def refuse(
    return_id: uuid.UUID,
    body: ReturnRefuse,
    bus: BusDep,
    uow: UowDep,
    principal: Approver,
    set_etag: ETagDep,
) -> ReturnRead:
    """Refuse a requested return with a reason, which it keeps. An action: no If-Match."""
    view: ReturnView = await bus.handle(body.to_command(principal, return_id), uow)
    set_etag(view.ret.version)
    return return_read(view)
