"""Reading storefront connections and the webhooks they sent that Lading refused."""

from __future__ import annotations

import uuid

from app.repositories.pagination import PageResult
from app.repositories.storefronts import StorefrontConnection, StorefrontRejection
from app.services.unit_of_work import UnitOfWork


async def get_connection(uow: UnitOfWork, connection_id: uuid.UUID) -> StorefrontConnection:
    async with uow:
        return await uow.storefronts.get_or_raise(connection_id)


async def list_connections(
    uow: UnitOfWork, *, limit: int, cursor: str | None
) -> PageResult[StorefrontConnection]:
    async with uow:
        return await uow.storefronts.page(limit=limit, cursor=cursor)


async def list_rejections(
    uow: UnitOfWork, connection_id: uuid.UUID, *, limit: int, cursor: str | None
) -> PageResult[StorefrontRejection]:
    async with uow:
        await uow.storefronts.get_or_raise(connection_id)
        return await uow.storefronts.rejections(connection_id, limit=limit, cursor=cursor)
