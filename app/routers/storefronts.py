"""Storefront connections (线上订单): Shopify and WooCommerce shops whose orders come in as
their own signed webhooks, and the webhooks Lading refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from app.deps import (
    AUTHENTICATED,
    BusDep,
    ETagDep,
    IfMatchDep,
    OutboundGuardDep,
    PageDep,
    UowDep,
    requires,
)
from app.domain.auth import STOREFRONT_INTAKES, Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.storefronts import (
    RejectedIntakeRead,
    StorefrontConnectionCreate,
    StorefrontConnectionRead,
    StorefrontConnectionUpdate,
    StorefrontWebhookReceipt,
)
from app.services.orders.shop_commands import ReceiveStorefrontWebhook
from app.services.orders.shop_outcome import Outcome
from app.services.storefronts.commands import (
    CreateStorefrontConnection,
    UpdateStorefrontConnection,
)
from app.services.storefronts.queries import get_connection, list_connections, list_rejections
from app.uploads import read_limited

# A shop order with a few hundred lines fits many times over.
WEBHOOK_MAX_BYTES = 2 * 1024 * 1024

router = APIRouter(
    prefix="/api/v1/storefront-connections", tags=["storefronts"], dependencies=AUTHENTICATED
)
# No credentials: the shop's signature over the body is the authentication.
webhooks = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"])

Admin = Annotated[Principal, Depends(requires("admin"))]
IntakeReader = Annotated[Principal, Depends(requires(STOREFRONT_INTAKES))]
ConnectionCode = Annotated[str, Path(min_length=1, max_length=40)]


@router.post(
    "",
    response_model=StorefrontConnectionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Connect a shop",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create(
    body: StorefrontConnectionCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Admin,
    guard: OutboundGuardDep,
    set_etag: ETagDep,
) -> StorefrontConnectionRead:
    """Connect a Shopify or WooCommerce shop; its base URL passes the outbound URL rule and
    its webhook secret and API credentials are never returned."""
    command = CreateStorefrontConnection(
        columns=body.columns(), skus=body.mapping(), principal=principal, guard=guard
    )
    connection = await bus.handle(command, uow)
    set_etag(connection.version)
    return StorefrontConnectionRead.of(connection)


@router.get(
    "",
    response_model=Page[StorefrontConnectionRead],
    summary="List shop connections",
    responses=problem_responses(401, 403, 422),
)
async def list_(uow: UowDep, principal: Admin, page: PageDep) -> Page[StorefrontConnectionRead]:
    """Every shop connection, by code."""
    result = await list_connections(uow, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[StorefrontConnectionRead.of(c) for c in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{connection_id}",
    response_model=StorefrontConnectionRead,
    summary="Get a shop connection",
    responses=problem_responses(401, 403, 404),
)
async def get(
    connection_id: uuid.UUID, uow: UowDep, principal: Admin, set_etag: ETagDep
) -> StorefrontConnectionRead:
    """One shop connection; the ETag header carries its version for a later update."""
    connection = await get_connection(uow, connection_id)
    set_etag(connection.version)
    return StorefrontConnectionRead.of(connection)


@router.patch(
    "/{connection_id}",
    response_model=StorefrontConnectionRead,
    summary="Update a shop connection",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    connection_id: uuid.UUID,
    body: StorefrontConnectionUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Admin,
    guard: OutboundGuardDep,
    set_etag: ETagDep,
) -> StorefrontConnectionRead:
    """Change the given fields (`sku_mapping` replaces the mapping); a new `base_url` removes
    the stored webhook secret and API credentials unless new ones come with it. Needs
    `If-Match`."""
    command = UpdateStorefrontConnection(
        connection_id=connection_id,
        changes=body.changes(),
        skus=body.mapping(),
        expected_version=version,
        principal=principal,
        guard=guard,
    )
    connection = await bus.handle(command, uow)
    set_etag(connection.version)
    return StorefrontConnectionRead.of(connection)


@router.get(
    "/{connection_id}/rejected-intakes",
    response_model=Page[RejectedIntakeRead],
    summary="List a shop's refused webhooks",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_rejected_intakes(
    connection_id: uuid.UUID, uow: UowDep, principal: IntakeReader, page: PageDep
) -> Page[RejectedIntakeRead]:
    """The webhooks Lading answered 200 but did not take (unknown SKU, currency, malformed
    payload), newest first, with the reason."""
    result = await list_rejections(uow, connection_id, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[RejectedIntakeRead.model_validate(r) for r in result.items],
        next_cursor=result.next_cursor,
    )


@webhooks.post(
    "/storefronts/{connection}",
    response_model=StorefrontWebhookReceipt,
    summary="Receive a shop's order webhook",
    responses=problem_responses(401, 404, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The shop's own webhook body (Shopify: X-Shopify-Topic, "
            "X-Shopify-Webhook-Id, X-Shopify-Hmac-Sha256; WooCommerce: X-WC-Webhook-Topic, "
            "X-WC-Webhook-Delivery-ID, X-WC-Webhook-Signature)",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def receive_storefront(
    connection: ConnectionCode, request: Request, bus: BusDep, uow: UowDep
) -> StorefrontWebhookReceipt:
    """Verify the signature over the raw body (401 `bad_signature` when missing or forged),
    then apply the webhook once per webhook id: a repeat answers `duplicate`. What Lading
    refuses for business reasons (unknown SKU, currency, malformed payload) answers 200
    `rejected` and is listed under the connection's rejected intakes."""
    body = await read_limited(request.stream(), max_bytes=WEBHOOK_MAX_BYTES)
    command = ReceiveStorefrontWebhook(
        connection_code=connection,
        headers=request.headers,
        raw_body=body,
        received_at=datetime.now(UTC),
    )
    outcome: Outcome = await bus.handle(command, uow)
    return StorefrontWebhookReceipt(
        status=outcome.status,
        order_id=outcome.order_id,
        order_number=outcome.order_number,
        reason=outcome.rejection.reason if outcome.rejection else None,
    )
