"""Reading webhook endpoints, their deliveries and attempts."""

from __future__ import annotations

import uuid

from app.domain.errors import NotFound
from app.repositories.pagination import PageResult
from app.repositories.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.services.unit_of_work import UnitOfWork


async def get_endpoint(uow: UnitOfWork, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    async with uow:
        return await uow.webhook_endpoints.get_or_raise(endpoint_id)


async def list_endpoints(
    uow: UnitOfWork, *, active: bool | None, limit: int, cursor: str | None
) -> PageResult[WebhookEndpoint]:
    async with uow:
        return await uow.webhook_endpoints.page(active=active, limit=limit, cursor=cursor)


async def list_deliveries(
    uow: UnitOfWork,
    endpoint_id: uuid.UUID,
    *,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[WebhookDelivery]:
    async with uow:
        await uow.webhook_endpoints.get_or_raise(endpoint_id)
        return await uow.webhook_endpoints.deliveries(
            endpoint_id, status=status, limit=limit, cursor=cursor
        )


async def get_delivery(
    uow: UnitOfWork, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    async with uow:
        delivery = await uow.webhook_endpoints.delivery(endpoint_id, delivery_id)
        if delivery is None:
            raise NotFound(f"No delivery with id {delivery_id} for this endpoint.")
        return delivery, await uow.webhook_endpoints.attempts(delivery.id)
