"""Service cases (售后工单): what customers asked after delivery, worked to a resolution with a
timeline of messages, internal notes and changes; and the delivery ratings they gave."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.deps import (
    AUTHENTICATED,
    BusDep,
    ETagDep,
    IdempotencyKey,
    IfMatchDep,
    PageDep,
    SettingsDep,
    UowDep,
    requires,
)
from app.domain.after_sales.cases import CaseKind, CasePriority, CaseState, Visibility
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.cases import (
    CaseAttachmentRead,
    CaseCreate,
    CaseDetailRead,
    CaseEntryRead,
    CaseLineRead,
    CaseMessageCreate,
    CaseRead,
    CaseTransition,
    CaseUpdate,
    FeedbackRead,
)
from app.schemas.common import Page
from app.services.after_sales.cases import queries
from app.services.after_sales.cases.attachments import attachment
from app.services.after_sales.cases.commands import AttachToCase
from app.services.after_sales.cases.views import CaseView
from app.uploads import receive_file

UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "description": "The file as the `file` part of a form: JPEG, PNG, WebP or PDF.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "title": "CaseAttachmentUpload",
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}

router = APIRouter(prefix="/api/v1/cases", tags=["cases"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("cases:read"))]
Writer = Annotated[Principal, Depends(requires("cases:write"))]


def case_read(view: CaseView) -> CaseRead:
    return CaseRead.model_validate(view.case)


def case_detail(view: CaseView) -> CaseDetailRead:
    return CaseDetailRead(
        **case_read(view).model_dump(),
        lines=[CaseLineRead.model_validate(x) for x in view.lines],
        timeline=[CaseEntryRead.model_validate(x) for x in view.entries],
    )


@router.post(
    "",
    response_model=CaseDetailRead,
    status_code=status.HTTP_201_CREATED,
    summary="Open a case",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: CaseCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> CaseDetailRead:
    """A case for a customer, optionally about an order, a shipment and some of its lines;
    its response and resolution targets follow its kind and priority (LADING_CASE_TARGETS)."""
    return case_detail(await bus.handle(body.to_command(principal, idempotency_key), uow))


@router.get(
    "",
    response_model=Page[CaseRead],
    summary="List cases",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    state: CaseState | None = None,
    kind: CaseKind | None = None,
    priority: CasePriority | None = None,
    assignee: Annotated[str | None, Query(max_length=100)] = None,
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    overdue: Annotated[
        bool, Query(description="Only open cases past their response or resolution target")
    ] = False,
) -> Page[CaseRead]:
    """Cases, newest first, by state, kind, priority, assignee, customer, order or overdue."""
    f = queries.CaseFilter(
        state=state.value if state else None,
        kind=kind.value if kind else None,
        priority=priority.value if priority else None,
        assignee=assignee,
        customer_id=customer_id,
        order_id=order_id,
    )
    result = await queries.list_cases(uow, f, overdue=overdue, limit=page.limit, cursor=page.cursor)
    return Page(items=[case_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/feedback",
    response_model=Page[FeedbackRead],
    summary="List delivery feedback",
    responses=problem_responses(401, 403, 422),
)
async def list_feedback(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    rating: Annotated[int | None, Query(ge=1, le=5)] = None,
    customer_id: uuid.UUID | None = None,
) -> Page[FeedbackRead]:
    """Ratings customers gave their deliveries from the tracking link, newest first."""
    result = await queries.list_feedback(
        uow, rating, customer_id, limit=page.limit, cursor=page.cursor
    )
    items = [FeedbackRead.model_validate(x) for x in result.items]
    return Page(items=items, next_cursor=result.next_cursor)


@router.get(
    "/{case_id}",
    response_model=CaseDetailRead,
    summary="Get a case",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(
    case_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> CaseDetailRead:
    """One case with its lines and its whole timeline (internal notes included); its
    ``ETag`` is what ``PATCH`` takes as ``If-Match``."""
    view = await queries.get_case(uow, case_id)
    set_etag(view.case.version)
    return case_detail(view)


@router.patch(
    "/{case_id}",
    response_model=CaseDetailRead,
    summary="Reassign a case or change its priority",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    case_id: uuid.UUID,
    body: CaseUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> CaseDetailRead:
    """Change the assignee (``null`` unassigns) or the priority, whose response and
    resolution targets are counted again from opening; an internal timeline entry records
    it. Needs ``If-Match``; a closed case changes no more."""
    view = await bus.handle(body.to_command(principal, case_id, version), uow)
    set_etag(view.case.version)
    return case_detail(view)


@router.post(
    "/{case_id}/transition",
    response_model=CaseDetailRead,
    summary="Move a case to another state",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def transition(
    case_id: uuid.UUID, body: CaseTransition, bus: BusDep, uow: UowDep, principal: Writer
) -> CaseDetailRead:
    """open → in_progress → waiting_customer → resolved (with a reason) → closed; a resolved
    case may be reopened. 409 ``invalid_case_transition`` otherwise. An action: no If-Match."""
    return case_detail(await bus.handle(body.to_command(principal, case_id), uow))


@router.post(
    "/{case_id}/messages",
    response_model=CaseDetailRead,
    status_code=status.HTTP_201_CREATED,
    summary="Write on a case",
    responses=problem_responses(401, 403, 404, 422),
)
async def message(
    case_id: uuid.UUID, body: CaseMessageCreate, bus: BusDep, uow: UowDep, principal: Writer
) -> CaseDetailRead:
    """A message to the customer (the first one meets the response target) or an internal
    note the customer never sees."""
    return case_detail(await bus.handle(body.to_command(principal, case_id), uow))


@router.post(
    "/{case_id}/attachments",
    response_model=CaseAttachmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file to a case",
    openapi_extra=UPLOAD_DOC,
    responses=problem_responses(401, 403, 404, 413, 422),
)
async def attach(
    case_id: uuid.UUID,
    request: Request,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    settings: SettingsDep,
    visibility: Visibility = Visibility.INTERNAL,
) -> CaseAttachmentRead:
    """A photo of damage or a document (JPEG, PNG, WebP, PDF, checked by its bytes), at most
    LADING_CASE_ATTACHMENT_MAX_BYTES (413 beyond, before the rest is read)."""
    received = await receive_file(request, max_bytes=settings.case_attachment_max_bytes)
    try:
        received.upload.file.seek(0)
        data = received.upload.file.read()
    finally:
        received.upload.file.close()
    cmd = AttachToCase(
        principal=principal,
        case_id=case_id,
        filename=received.filename or "attachment",
        content_type=received.media_type,
        data=data,
        visibility=visibility.value,
    )
    return CaseAttachmentRead.model_validate(await bus.handle(cmd, uow))


@router.get(
    "/{case_id}/attachments/{attachment_id}",
    response_class=Response,
    summary="Download a case's attachment",
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
        **problem_responses(401, 403, 404, 422),
    },
)
async def download(
    case_id: uuid.UUID, attachment_id: uuid.UUID, uow: UowDep, principal: Reader
) -> Response:
    """The file as it was attached, with its content type."""
    row = await attachment(uow, case_id, attachment_id)
    return Response(content=row.data, media_type=row.content_type)
