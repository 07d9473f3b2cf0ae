"""The queue of calls back to shops (``storefront_calls``) and the stock rows waiting to be
pushed (``storefront_stock_dirty``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.products import Product
from app.repositories.stock import StockLevel
from app.repositories.storefronts import StorefrontCall, StorefrontStockDirty


class StorefrontCallRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._postgres = session.bind.dialect.name == "postgresql"

    def _insert(self) -> Any:
        return postgresql.insert if self._postgres else sqlite.insert

    async def add_calls(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """One call per outbox event (its id): routing an event again adds nothing."""
        if rows:
            stmt = (
                self._insert()(StorefrontCall)
                .values(list(rows))
                .on_conflict_do_nothing(index_elements=["id"])
            )
            await self.session.execute(stmt)

    async def claim_due(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[StorefrontCall]:
        """Due pending calls, leased until ``lease_until`` (a worker that dies holds them one
        lease); ``SKIP LOCKED`` on PostgreSQL so workers never take the same rows."""
        stmt = (
            select(StorefrontCall)
            .where(StorefrontCall.status == "pending", StorefrontCall.next_attempt_at <= now)
            .order_by(StorefrontCall.next_attempt_at, StorefrontCall.id)
            .limit(limit)
        )
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list((await self.session.scalars(stmt)).all())
        for row in rows:
            row.next_attempt_at = lease_until
        return rows

    async def settle(self, call_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            update(StorefrontCall).where(StorefrontCall.id == call_id).values(**values)
        )

    # stock ---------------------------------------------------------------------------------

    async def mark_dirty(self, rows: Collection[tuple[uuid.UUID, str]], now: datetime) -> None:
        """Upsert (connection, sku) rows: the first change's time stays (the debounce counts
        from it), so a busy SKU is pushed once per debounce window."""
        if rows:
            values = [{"connection_id": c, "sku": s, "dirty_at": now} for c, s in rows]
            stmt = (
                self._insert()(StorefrontStockDirty)
                .values(values)
                .on_conflict_do_nothing(index_elements=["connection_id", "sku"])
            )
            await self.session.execute(stmt)

    async def due_dirty(
        self, before: datetime, limit: int
    ) -> list[tuple[uuid.UUID, str, datetime]]:
        stmt = (
            select(
                StorefrontStockDirty.connection_id,
                StorefrontStockDirty.sku,
                StorefrontStockDirty.dirty_at,
            )
            .where(StorefrontStockDirty.dirty_at <= before)
            .order_by(StorefrontStockDirty.connection_id, StorefrontStockDirty.sku)
            .limit(limit)
        )
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        return [(c, s, d) for c, s, d in (await self.session.execute(stmt)).tuples()]

    async def clear_dirty(
        self, connection_id: uuid.UUID, skus: Collection[str], until: datetime
    ) -> None:
        """Forget the pushed rows, unless they were marked again after ``until``."""
        await self.session.execute(
            delete(StorefrontStockDirty).where(
                StorefrontStockDirty.connection_id == connection_id,
                StorefrontStockDirty.sku.in_(list(skus)),
                StorefrontStockDirty.dirty_at <= until,
            )
        )

    async def available(
        self, skus: Collection[str], warehouse_ids: Collection[uuid.UUID]
    ) -> dict[str, Decimal]:
        """on hand less reserved per SKU over the warehouses (all of them when none given)."""
        on = StockLevel.product_id == Product.id
        if warehouse_ids:
            on = and_(on, StockLevel.warehouse_id.in_(list(warehouse_ids)))
        available = func.coalesce(func.sum(StockLevel.on_hand - StockLevel.reserved), 0)
        stmt = (
            select(Product.sku, available)
            .join(StockLevel, on, isouter=True)
            .where(Product.sku.in_(list(skus)))
            .group_by(Product.sku)
        )
        rows = (await self.session.execute(stmt)).tuples()
        return {sku: max(Decimal(str(q)), Decimal(0)) for sku, q in rows}
