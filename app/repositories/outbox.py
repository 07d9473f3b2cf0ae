"""Claiming and settling outbox rows; any number of workers may share the table."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.events import OutboxEvent


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_due(
        self, now: datetime, limit: int, lease_until: datetime
    ) -> list[OutboxEvent]:
        """Lease pending events that are due, oldest first: their ``available_at`` moves to
        ``lease_until``, so once the claim commits no other worker takes them until the lease
        runs out (a worker that dies mid-send loses nothing). On PostgreSQL the select uses
        ``FOR UPDATE SKIP LOCKED`` so concurrent claimers never pick the same rows."""
        stmt = (
            select(OutboxEvent)
            .where(OutboxEvent.status == "pending", OutboxEvent.available_at <= now)
            .order_by(OutboxEvent.available_at, OutboxEvent.created_at)
            .limit(limit)
        )
        if self.session.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list((await self.session.scalars(stmt)).all())
        if rows:
            await self.session.execute(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_([r.id for r in rows]))
                .values(available_at=lease_until)
            )
        return rows

    async def renew(
        self, event_ids: list[uuid.UUID], lease: datetime, lease_until: datetime
    ) -> set[uuid.UUID]:
        """Extend this worker's lease on events it has not sent yet; returns those still held.
        The lease's end is its token: an event whose ``available_at`` is no longer ``lease``
        was settled, or its lease ran out and another worker took it."""
        if not event_ids:
            return set()
        renewed = await self.session.scalars(
            update(OutboxEvent)
            .where(
                OutboxEvent.id.in_(event_ids),
                OutboxEvent.status == "pending",
                OutboxEvent.available_at == lease,
            )
            .values(available_at=lease_until)
            .returning(OutboxEvent.id)
        )
        return set(renewed.all())

    async def mark_sent(self, event_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event_id)
            .values(status="sent", sent_at=now, attempts=OutboxEvent.attempts + 1)
        )

    async def mark_failed(
        self, event_id: uuid.UUID, *, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed attempt; ``retry_at=None`` moves the event to the dead letters."""
        values: dict[str, object] = {
            "attempts": OutboxEvent.attempts + 1,
            "last_error": error[:2000],
        }
        if retry_at is None:
            values["status"] = "dead"
        else:
            values["available_at"] = retry_at
        await self.session.execute(
            update(OutboxEvent).where(OutboxEvent.id == event_id).values(**values)
        )
