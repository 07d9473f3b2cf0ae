"""The notification log: what was sent (or skipped) to whom, when, and what the provider said."""

from __future__ import annotations

import uuid

from app.domain.errors import NotFound
from app.repositories.notifications import Notification
from app.repositories.pagination import PageResult
from app.services.unit_of_work import UnitOfWork


async def list_notifications(
    uow: UnitOfWork,
    *,
    customer_id: uuid.UUID | None,
    order_id: uuid.UUID | None,
    kind: str | None,
    status: str | None,
    channel: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Notification]:
    filters = {
        "customer_id": customer_id,
        "order_id": order_id,
        "kind": kind,
        "status": status,
        "channel": channel,
    }
    async with uow:
        return await uow.notifications.page(filters=filters, limit=limit, cursor=cursor)


async def get_notification(uow: UnitOfWork, notification_id: uuid.UUID) -> Notification:
    async with uow:
        found = await uow.notifications.get(notification_id)
    if found is None:
        raise NotFound(f"No notification with id {notification_id}.")
    return found
