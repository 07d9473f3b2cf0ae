"""Reading and writing the storefront tables (``app.repositories.storefronts``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.base import Lookups, first
from app.repositories.pagination import PageResult, paginate
from app.repositories.storefronts import (
    StorefrontConnection,
    StorefrontCustomer,
    StorefrontInboxEntry,
    StorefrontOrder,
    StorefrontRejection,
    StorefrontSku,
)

RECEIVED = "received"  # an inbox entry whose webhook is not settled yet


class StorefrontRepository(Lookups[StorefrontConnection]):
    model = StorefrontConnection
    noun = "storefront connection"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self) -> Any:
        return (
            postgresql.insert if self.session.bind.dialect.name == "postgresql" else sqlite.insert
        )

    async def get_by_code(self, code: str) -> StorefrontConnection | None:
        stmt = select(StorefrontConnection).where(StorefrontConnection.code == code)
        return await first(self.session, stmt)

    def add(self, connection: StorefrontConnection) -> None:
        self.session.add(connection)

    async def page(self, *, limit: int, cursor: str | None) -> PageResult[StorefrontConnection]:
        stmt = select(StorefrontConnection)
        return await paginate(
            self.session, stmt, [StorefrontConnection.code], limit=limit, cursor=cursor
        )

    # SKU mapping ---------------------------------------------------------------------------

    async def sku_map(self, connection_id: uuid.UUID) -> dict[str, str]:
        """platform key → Lading SKU (a connection's mapping is bounded by the API)."""
        rows = await self.session.execute(
            select(StorefrontSku.platform_key, StorefrontSku.sku).where(
                StorefrontSku.connection_id == connection_id
            )
        )
        return {key: sku for key, sku in rows.tuples()}

    async def replace_skus(self, connection_id: uuid.UUID, mapping: Mapping[str, str]) -> None:
        await self.session.execute(
            delete(StorefrontSku).where(StorefrontSku.connection_id == connection_id)
        )
        if mapping:
            await self.session.execute(
                insert(StorefrontSku),
                [
                    {
                        "id": uuid.uuid4(),
                        "connection_id": connection_id,
                        "platform_key": k,
                        "sku": v,
                    }
                    for k, v in mapping.items()
                ],
            )

    # webhook inbox -------------------------------------------------------------------------

    async def receive(
        self, connection_id: uuid.UUID, webhook_id: str, topic: str, now: datetime
    ) -> str | None:
        """Keep a delivery in the inbox: None the first time, else the outcome the earlier
        delivery recorded (``received`` while it has not settled). The unique key decides; on
        PostgreSQL a concurrent delivery waits here for the first one's transaction."""
        stmt = (
            self._insert()(StorefrontInboxEntry)
            .values(
                id=uuid.uuid4(),
                connection_id=connection_id,
                webhook_id=webhook_id,
                topic=topic,
                received_at=now,
                outcome=RECEIVED,
            )
            .on_conflict_do_nothing(index_elements=["connection_id", "webhook_id"])
            .returning(StorefrontInboxEntry.id)
        )
        if (await self.session.execute(stmt)).first() is not None:
            return None
        found = await self.session.scalar(
            select(StorefrontInboxEntry.outcome).where(
                StorefrontInboxEntry.connection_id == connection_id,
                StorefrontInboxEntry.webhook_id == webhook_id,
            )
        )
        return found or RECEIVED

    async def settle(self, connection_id: uuid.UUID, webhook_id: str, outcome: str) -> None:
        await self.session.execute(
            update(StorefrontInboxEntry)
            .where(
                StorefrontInboxEntry.connection_id == connection_id,
                StorefrontInboxEntry.webhook_id == webhook_id,
            )
            .values(outcome=outcome[:200])
        )

    # rejected intakes ----------------------------------------------------------------------

    def add_rejection(self, rejection: StorefrontRejection) -> None:
        self.session.add(rejection)

    async def rejections(
        self, connection_id: uuid.UUID, *, limit: int, cursor: str | None
    ) -> PageResult[StorefrontRejection]:
        stmt = select(StorefrontRejection).where(StorefrontRejection.connection_id == connection_id)
        columns = [StorefrontRejection.received_at, StorefrontRejection.id]
        return await paginate(
            self.session, stmt, columns, limit=limit, cursor=cursor, descending=True
        )

    # shop orders and customers -------------------------------------------------------------

    async def shop_order(
        self, connection_id: uuid.UUID, platform_order_id: str, *, lock: bool = False
    ) -> StorefrontOrder | None:
        stmt = select(StorefrontOrder).where(
            StorefrontOrder.connection_id == connection_id,
            StorefrontOrder.platform_order_id == platform_order_id,
        )
        return await first(self.session, stmt.with_for_update() if lock else stmt)

    async def keep_shop_order(self, values: Mapping[str, Any]) -> None:
        """Insert the shop order unless it is there (a redelivery, or a racing one)."""
        stmt = (
            self._insert()(StorefrontOrder)
            .values(id=uuid.uuid4(), **values)
            .on_conflict_do_nothing(index_elements=["connection_id", "platform_order_id"])
        )
        await self.session.execute(stmt)

    async def shop_orders_of(self, order_ids: Collection[uuid.UUID]) -> list[StorefrontOrder]:
        if not order_ids:
            return []
        stmt = select(StorefrontOrder).where(StorefrontOrder.order_id.in_(set(order_ids)))
        return list(await self.session.scalars(stmt))

    async def customer_for(
        self, connection_id: uuid.UUID, platform_id: str | None, email: str | None
    ) -> uuid.UUID | None:
        """The Lading customer of a shop customer: by platform id, else by email."""
        base = select(StorefrontCustomer.customer_id).where(
            StorefrontCustomer.connection_id == connection_id
        )
        if platform_id:
            found = await self.session.scalar(
                base.where(StorefrontCustomer.platform_customer_id == platform_id).limit(1)
            )
            if found:
                return found
        if email:
            by_email: uuid.UUID | None = await self.session.scalar(
                base.where(StorefrontCustomer.email == email).limit(1)
            )
            return by_email
        return None

    async def link_customer(
        self,
        connection_id: uuid.UUID,
        platform_id: str | None,
        email: str | None,
        customer_id: uuid.UUID,
    ) -> None:
        stmt = (
            self._insert()(StorefrontCustomer)
            .values(
                id=uuid.uuid4(),
                connection_id=connection_id,
                platform_customer_id=platform_id,
                email=email,
                customer_id=customer_id,
            )
            .on_conflict_do_nothing(index_elements=["connection_id", "platform_customer_id"])
        )
        await self.session.execute(stmt)

    async def active(self) -> list[StorefrontConnection]:
        """Every active connection (shops are few)."""
        stmt = select(StorefrontConnection).where(StorefrontConnection.active.is_(True))
        return list(await self.session.scalars(stmt.order_by(StorefrontConnection.code)))

    async def mapped_skus(self, connection_id: uuid.UUID, skus: Collection[str]) -> set[str]:
        """Which of ``skus`` the connection's mapping sells."""
        if not skus:
            return set()
        stmt = select(StorefrontSku.sku).where(
            StorefrontSku.connection_id == connection_id, StorefrontSku.sku.in_(list(skus))
        )
        return set(await self.session.scalars(stmt))

    async def platform_keys(
        self, connection_id: uuid.UUID, skus: Collection[str]
    ) -> dict[str, str]:
        """Lading SKU → the shop's key, for the SKUs given."""
        stmt = select(StorefrontSku.sku, StorefrontSku.platform_key).where(
            StorefrontSku.connection_id == connection_id, StorefrontSku.sku.in_(list(skus))
        )
        return {sku: key for sku, key in (await self.session.execute(stmt)).tuples()}
