"""Make-to-order: production requests (MO) planned, released to the production system and
reported back; the production system's signed webhook."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from app.deps import (
    AUTHENTICATED,
    BusDep,
    ETagDep,
    IfMatchDep,
    PageDep,
    UowDep,
    requires,
)
from app.domain import production as rules
from app.domain.auth import Principal
from app.domain.production import ProductionStatus
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.production import (
    ProductionCancel,
    ProductionCombine,
    ProductionLinkRead,
    ProductionReport,
    ProductionRequestCreate,
    ProductionRequestRead,
    ProductionRequestUpdate,
    ProductionSplit,
    ProductionWebhookReceipt,
)
from app.services.production import queries
from app.services.production.commands import PlanFromReorderPoints, ReleaseProductionRequest
from app.services.production.inbound import ReceiveProductionWebhook
from app.services.production.reporting import Reported
from app.services.production.views import ProductionView
from app.uploads import read_limited

WEBHOOK_MAX_BYTES = 256 * 1024

router = APIRouter(
    prefix="/api/v1/production-requests", tags=["production"], dependencies=AUTHENTICATED
)
# No credentials: the production system's signature over the body is the authentication.
webhooks = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])
Reader = Annotated[Principal, Depends(requires("production:read"))]
Planner = Annotated[Principal, Depends(requires("production:write"))]


def request_read(view: ProductionView) -> ProductionRequestRead:
    r = view.request
    today = datetime.now(UTC).date()
    data = {
        k: getattr(r, k)
        for k in ProductionRequestRead.model_fields
        if k not in ("warehouse", "links", "expected_date", "late")
    }
    return ProductionRequestRead(
        **data,
        warehouse=view.warehouse,
        expected_date=rules.expected_date(r.due_date, r.expected_finish_date),
        late=rules.is_late(r.status, r.due_date, today, r.expected_finish_date),
        links=[ProductionLinkRead.model_validate(x) for x in view.links],
    )


def _answer(view: ProductionView, set_etag: ETagDep) -> ProductionRequestRead:
    set_etag(view.request.version)
    return request_read(view)


@router.post(
    "",
    response_model=ProductionRequestRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a production request",
    responses=problem_responses(401, 403, 422),
)
async def create(
    body: ProductionRequestCreate, bus: BusDep, uow: UowDep, principal: Planner, set_etag: ETagDep
) -> ProductionRequestRead:
    """A draft request of a made product (422 ``made`` for a bought one), in a quantity its
    unit allows, into a warehouse, due on a date."""
    return _answer(await bus.handle(body.to_command(principal), uow), set_etag)


@router.get(
    "",
    response_model=Page[ProductionRequestRead],
    summary="List production requests",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    status_: Annotated[ProductionStatus | None, Query(alias="status")] = None,
    product_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = Query(default=None, description="Requests serving this order"),
) -> Page[ProductionRequestRead]:
    """Newest last; ``order_id`` lists those making goods for an order."""
    result = await queries.list_requests(
        uow,
        status=status_.value if status_ else None,
        product_id=product_id,
        order_id=order_id,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=[request_read(x) for x in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{request_id}",
    response_model=ProductionRequestRead,
    summary="Get a production request",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    request_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> ProductionRequestRead:
    """One request with the order lines it serves; its ``ETag`` is what ``PATCH`` takes."""
    return _answer(await queries.get_request(uow, request_id), set_etag)


@router.patch(
    "/{request_id}",
    response_model=ProductionRequestRead,
    summary="Edit a draft production request",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def update(
    request_id: uuid.UUID,
    body: ProductionRequestUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Planner,
    set_etag: ETagDep,
) -> ProductionRequestRead:
    """Quantity (never below what its order lines need), due date, priority, note; only a
    draft (409 ``request_not_draft``)."""
    cmd = body.to_command(principal, request_id, version)
    return _answer(await bus.handle(cmd, uow), set_etag)


@router.post(
    "/{request_id}/release",
    response_model=ProductionRequestRead,
    summary="Release a production request to the production system",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def release(
    request_id: uuid.UUID,
    bus: BusDep,
    uow: UowDep,
    principal: Planner,
    set_etag: ETagDep,
) -> ProductionRequestRead:
    """An action (no If-Match: the request's lock and state decide; 409
    ``request_not_draft``). ``production.released`` carries the release document to the
    webhook endpoints that take it (the MES)."""
    cmd = ReleaseProductionRequest(principal=principal, request_id=request_id)
    return _answer(await bus.handle(cmd, uow), set_etag)


@router.post(
    "/{request_id}/cancel",
    response_model=ProductionRequestRead,
    summary="Cancel a production request",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def cancel(
    request_id: uuid.UUID,
    body: ProductionCancel,
    bus: BusDep,
    uow: UowDep,
    principal: Planner,
    set_etag: ETagDep,
) -> ProductionRequestRead:
    """With a reason; never once something was completed (409 ``request_has_completions``)."""
    cmd = body.to_command(principal, request_id)
    return _answer(await bus.handle(cmd, uow), set_etag)


@router.post(
    "/{request_id}/split",
    response_model=list[ProductionRequestRead],
    status_code=status.HTTP_201_CREATED,
    summary="Split a draft production request",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def split(
    request_id: uuid.UUID,
    body: ProductionSplit,
    bus: BusDep,
    uow: UowDep,
    principal: Planner,
) -> list[ProductionRequestRead]:
    """The draft keeps the rest; the new draft takes ``quantity`` and the order lines that
    part serves. Answers both."""
    first, second = await bus.handle(body.to_command(principal, request_id), uow)
    return [request_read(first), request_read(second)]


@router.post(
    "/from-reorder-points",
    response_model=list[ProductionRequestRead],
    status_code=status.HTTP_201_CREATED,
    summary="Plan production to stock",
    responses=problem_responses(401, 403, 422),
)
async def from_reorder_points(
    bus: BusDep, uow: UowDep, principal: Planner
) -> list[ProductionRequestRead]:
    """Make to stock: a draft request for every ``make`` product whose projected position
    (available + being made − backordered) fell below its reorder point, for the quantity
    replenishment would buy; the drafts made (none when every one is covered)."""
    views = await bus.handle(PlanFromReorderPoints(principal=principal), uow)
    return [request_read(x) for x in views]


@router.post(
    "/combine",
    response_model=ProductionRequestRead,
    summary="Combine draft production requests",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def combine(
    body: ProductionCombine, bus: BusDep, uow: UowDep, principal: Planner, set_etag: ETagDep
) -> ProductionRequestRead:
    """Drafts of one product and warehouse into the first named; the others are cancelled
    as combined, their order lines kept."""
    return _answer(await bus.handle(body.to_command(principal), uow), set_etag)


@router.post(
    "/{request_id}/reports",
    response_model=ProductionRequestRead,
    summary="Report production in place of the production system",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def report(
    request_id: uuid.UUID,
    body: ProductionReport,
    bus: BusDep,
    uow: UowDep,
    principal: Planner,
    set_etag: ETagDep,
) -> ProductionRequestRead:
    """``started``, ``progress`` (``expected_finish_date``) or ``completed`` (good goods as a
    production movement, ``scrapped_quantity`` with ``scrap_reason``; more than requested
    needs ``over_production_reason``). 409 ``request_not_running`` before release or after
    completion or cancellation."""
    found = await queries.get_request(uow, request_id)
    reported: Reported = await bus.handle(body.to_command(principal, found.request.number), uow)
    assert reported.view is not None
    return _answer(reported.view, set_etag)


@webhooks.post(
    "/production",
    response_model=ProductionWebhookReceipt,
    summary="Receive the production system's report",
    responses=problem_responses(400, 401, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "A report of the production system, signed with Standard Webhooks "
            "headers (README: make-to-order)",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def production_reports(
    request: Request, bus: BusDep, uow: UowDep
) -> ProductionWebhookReceipt:
    """Verify the signature over the raw body (401 ``bad_signature``), then apply the report
    once per ``webhook-id``: a repeat answers ``duplicate`` and changes nothing."""
    body = await read_limited(request.stream(), max_bytes=WEBHOOK_MAX_BYTES)
    cmd = ReceiveProductionWebhook(
        headers=dict(request.headers), raw_body=body, received_at=datetime.now(UTC)
    )
    reported: Reported = await bus.handle(cmd, uow)
    return ProductionWebhookReceipt(status="duplicate" if reported.duplicate else "accepted")
