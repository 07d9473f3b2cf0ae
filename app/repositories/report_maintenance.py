"""Keeping the summaries: the projector's progress, the orders an event batch touches, and the
whole rebuild from the transaction tables."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.events import Touch
from app.repositories.base import utcnow
from app.repositories.events import OutboxEvent
from app.repositories.orders import Order
from app.repositories.report_facts import ReportFactWriter
from app.repositories.report_models import (
    ReportLineFact,
    ReportOrderFact,
    ReportProgress,
    ReportStockIssue,
)
from app.repositories.report_registry import SUMMARIES
from app.repositories.report_rollups import ROLLUPS, ReportRollups
from app.repositories.report_stock import ReportStock
from app.repositories.shipments import Shipment

PROJECTOR = "reports"
REBUILD_CHUNK = 2000


class ReportMaintenance:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.facts = ReportFactWriter(session)
        self.rollups = ReportRollups(session)
        self.stock = ReportStock(session)

    @property
    def _postgres(self) -> bool:
        return self.session.bind.dialect.name == "postgresql"

    async def ensure_progress(self) -> None:
        """The projector's row, at the stream's start unless it exists (one statement)."""
        insert = postgresql.insert if self._postgres else sqlite.insert
        await self.session.execute(
            insert(ReportProgress)
            .values(name=PROJECTOR, position=0, as_of=None, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=[ReportProgress.name])
        )

    async def progress(self, *, lock: bool, wait: bool = False) -> ReportProgress | None:
        """The projector's row; ``lock`` holds it for this transaction (on PostgreSQL ``SKIP
        LOCKED`` unless ``wait``: None when another process holds it)."""
        stmt = select(ReportProgress).where(ReportProgress.name == PROJECTOR)
        if lock and self._postgres:
            stmt = stmt.with_for_update(skip_locked=not wait)
        row: ReportProgress | None = await self.session.scalar(stmt)
        return row

    async def advance(self, position: int, as_of: datetime | None) -> None:
        values: dict[str, object] = {"position": position, "updated_at": utcnow()}
        if as_of is not None:
            values["as_of"] = as_of
        await self.session.execute(
            update(ReportProgress).where(ReportProgress.name == PROJECTOR).values(**values)
        )

    async def oldest_pending(self) -> datetime | None:
        """When the oldest event not yet on the stream was written (its change is committed
        but the projector cannot see it yet)."""
        value: datetime | None = await self.session.scalar(
            select(func.min(OutboxEvent.created_at)).where(OutboxEvent.status == "pending")
        )
        return value

    async def orders_touched(self, touches: Iterable[Touch]) -> set[uuid.UUID]:
        """The orders whose facts the touched things feed."""
        ids: dict[str, set[uuid.UUID]] = {"order": set(), "shipment": set(), "customer": set()}
        for touch in touches:
            try:
                ids[touch.kind].add(uuid.UUID(touch.id))
            except ValueError:
                continue
        orders = set(ids["order"])
        if ids["shipment"]:
            rows = await self.session.scalars(
                select(Shipment.order_id).where(Shipment.id.in_(ids["shipment"]))
            )
            orders.update(rows.all())
        if ids["customer"]:
            rows = await self.session.scalars(
                select(Order.id).where(Order.customer_id.in_(ids["customer"]))
            )
            orders.update(rows.all())
        return orders

    async def apply(self, order_ids: set[uuid.UUID]) -> set[date]:
        """Derive these orders' facts again and sum the days they stood and stand on."""
        if not order_ids:
            return set()
        days = await self.facts.days_of(order_ids)
        days |= await self.facts.replace(order_ids)
        await self.rollups.refresh(days)
        return days

    async def clear(self) -> None:
        own = [table for summary in SUMMARIES for table in summary.tables]
        for table in (*ROLLUPS, ReportLineFact, ReportOrderFact, ReportStockIssue, *own):
            await self.session.execute(delete(table))

    async def order_ids_after(self, after: uuid.UUID | None, limit: int) -> list[uuid.UUID]:
        """The next ``limit`` order ids in id order (the rebuild walks every order)."""
        stmt = select(Order.id).order_by(Order.id).limit(limit)
        if after is not None:
            stmt = stmt.where(Order.id > after)
        return list((await self.session.scalars(stmt)).all())

    async def rebuild_facts(self, order_ids: list[uuid.UUID]) -> None:
        """Write the facts of orders that have none (the rebuild cleared them)."""
        await self.facts.replace(order_ids)
