"""Outbound webhook endpoints (Standard Webhooks): administrators only."""

from __future__ import annotations

import uuid
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, status

from app.deps import (
    AUTHENTICATED,
    BusDep,
    ETagDep,
    IfMatchDep,
    OutboundGuardDep,
    PageDep,
    SettingsDep,
    UowDep,
    requires,
)
from app.domain.auth import Principal
from app.domain.webhooks import webhook_id
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.webhooks import (
    ReplayRead,
    ReplayRequest,
    SecretRotation,
    WebhookAttemptRead,
    WebhookDeliveryDetail,
    WebhookDeliveryRead,
    WebhookEndpointCreate,
    WebhookEndpointRead,
    WebhookEndpointUpdate,
    WebhookEndpointUpdated,
    WebhookEndpointWithSecret,
)
from app.services.webhooks import queries
from app.services.webhooks.commands import (
    CreateWebhookEndpoint,
    EnableWebhookEndpoint,
    ReplayWebhookEvents,
    RotateWebhookSecret,
    UpdateWebhookEndpoint,
)

router = APIRouter(
    prefix="/api/v1/webhook-endpoints", tags=["webhook-endpoints"], dependencies=AUTHENTICATED
)
Reader = Annotated[Principal, Depends(requires("webhooks:read"))]
Writer = Annotated[Principal, Depends(requires("webhooks:write"))]


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


def _with_secret(endpoint: Any) -> WebhookEndpointWithSecret:
    """The endpoint row with its new secret (creation, rotation: the one answer showing it)."""
    read = WebhookEndpointRead.model_validate(endpoint)
    return WebhookEndpointWithSecret(**read.model_dump(), secret=endpoint.secret)


def _delivery(row: Any) -> WebhookDeliveryRead:
    """A delivery row with the ``webhook-id`` its attempts carry."""
    names = [key for key in WebhookDeliveryRead.model_fields if key != "webhook_id"]
    return WebhookDeliveryRead(
        **{key: getattr(row, key) for key in names}, webhook_id=webhook_id(row.id)
    )


@router.post(
    "",
    response_model=WebhookEndpointWithSecret,
    status_code=status.HTTP_201_CREATED,
    summary="Create a webhook endpoint",
    responses=problem_responses(401, 403, 422),
)
async def create(
    body: WebhookEndpointCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    guard: OutboundGuardDep,
    set_etag: ETagDep,
) -> WebhookEndpointWithSecret:
    """Create an endpoint receiving the events its filter takes; the answer holds its secret,
    shown this once."""
    command = CreateWebhookEndpoint(
        url=body.url,
        description=body.description,
        event_types=body.event_types,
        principal=principal,
        guard=guard,
    )
    endpoint = await bus.handle(command, uow)
    set_etag(endpoint.version)
    return _with_secret(endpoint)


@router.get(
    "",
    response_model=Page[WebhookEndpointRead],
    summary="List webhook endpoints",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep, principal: Reader, page: PageDep, active: bool | None = None
) -> Page[WebhookEndpointRead]:
    """Endpoints, oldest first, filtered by whether they are on."""
    result = await queries.list_endpoints(uow, active=active, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[WebhookEndpointRead.model_validate(e) for e in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{endpoint_id}",
    response_model=WebhookEndpointRead,
    summary="Get a webhook endpoint",
    responses=problem_responses(401, 403, 404),
)
async def get(
    endpoint_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> WebhookEndpointRead:
    """One endpoint (never its secret); the ETag carries its version."""
    endpoint = await queries.get_endpoint(uow, endpoint_id)
    set_etag(endpoint.version)
    return WebhookEndpointRead.model_validate(endpoint)


@router.patch(
    "/{endpoint_id}",
    response_model=WebhookEndpointUpdated,
    summary="Update or deactivate a webhook endpoint",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    endpoint_id: uuid.UUID,
    body: WebhookEndpointUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    guard: OutboundGuardDep,
    set_etag: ETagDep,
) -> WebhookEndpointUpdated:
    """Change the given fields; `active: false` switches the endpoint off. A new `url` is
    checked like a new endpoint's and gets a new secret at once (in this answer only; the
    old one stops signing). Needs `If-Match`."""
    command = UpdateWebhookEndpoint(
        endpoint_id=endpoint_id,
        changes=body.changes(),
        expected_version=version,
        principal=principal,
        guard=guard,
    )
    endpoint, secret = await bus.handle(command, uow)
    set_etag(endpoint.version)
    read = WebhookEndpointRead.model_validate(endpoint)
    return WebhookEndpointUpdated(**read.model_dump(), secret=secret)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=WebhookEndpointWithSecret,
    summary="Rotate a webhook endpoint's secret",
    responses=problem_responses(401, 403, 404, 422),
)
async def rotate_secret(
    endpoint_id: uuid.UUID,
    body: SecretRotation,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    settings: SettingsDep,
    set_etag: ETagDep,
) -> WebhookEndpointWithSecret:
    """A new secret, shown this once; the old one still signs beside it for the overlap
    (both signatures in `webhook-signature`), so receivers can switch without losing any."""
    hours = body.overlap_hours
    overlap = timedelta(hours=settings.webhook_secret_overlap_hours if hours is None else hours)
    command = RotateWebhookSecret(endpoint_id=endpoint_id, overlap=overlap, principal=principal)
    endpoint = await bus.handle(command, uow)
    set_etag(endpoint.version)
    return _with_secret(endpoint)


@router.post(
    "/{endpoint_id}/enable",
    response_model=WebhookEndpointRead,
    summary="Re-enable a webhook endpoint",
    responses=problem_responses(401, 403, 404),
)
async def enable(
    endpoint_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> WebhookEndpointRead:
    """Switch a disabled or deactivated endpoint back on; its pending deliveries go out at
    once (events routed while it was off reach it by replay)."""
    endpoint = await bus.handle(
        EnableWebhookEndpoint(endpoint_id=endpoint_id, principal=principal), uow
    )
    set_etag(endpoint.version)
    return WebhookEndpointRead.model_validate(endpoint)


@router.post(
    "/{endpoint_id}/replay",
    response_model=ReplayRead,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Replay events to a webhook endpoint",
    responses=problem_responses(401, 403, 404, 422),
)
async def replay(
    endpoint_id: uuid.UUID, body: ReplayRequest, bus: BusDep, uow: UowDep, principal: Writer
) -> ReplayRead:
    """Deliver one event, or every event of a time range the filter takes, again: each under
    the `webhook-id` it had before, with a fresh retry schedule."""
    command = ReplayWebhookEvents(
        endpoint_id=endpoint_id,
        event_id=body.event_id,
        start=body.start,
        end=body.end,
        principal=principal,
    )
    return ReplayRead(replayed=await bus.handle(command, uow))


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=Page[WebhookDeliveryRead],
    summary="List a webhook endpoint's deliveries",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    status: DeliveryStatus | None = None,
) -> Page[WebhookDeliveryRead]:
    """Deliveries to the endpoint, newest first, filtered by status."""
    result = await queries.list_deliveries(
        uow,
        endpoint_id,
        status=status.value if status else None,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=[_delivery(d) for d in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}",
    response_model=WebhookDeliveryDetail,
    summary="Get a delivery and its attempts",
    responses=problem_responses(401, 403, 404),
)
async def get_delivery(
    endpoint_id: uuid.UUID, delivery_id: uuid.UUID, uow: UowDep, principal: Reader
) -> WebhookDeliveryDetail:
    """One delivery with its latest attempts (status or error, duration, the answer's start)."""
    delivery, attempts = await queries.get_delivery(uow, endpoint_id, delivery_id)
    return WebhookDeliveryDetail(
        **_delivery(delivery).model_dump(),
        attempts_log=[WebhookAttemptRead.model_validate(a) for a in attempts],
    )
