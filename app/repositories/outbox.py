"""The outbox as the worker sees it: routing pending events onto the stream, reading it back."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.base import utcnow
from app.repositories.events import ConsumerOffset, OutboxEvent, StreamCounter

STREAM = "outbox"


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.bind.dialect.name == "postgresql"

    async def claim_unrouted(self, now: datetime, limit: int) -> list[OutboxEvent]:
        """Pending events that are due, oldest first, locked for this transaction. On
        PostgreSQL ``FOR UPDATE SKIP LOCKED``: concurrent routers never take the same rows, and
        a router that dies releases them by rolling back (nothing to lease)."""
        stmt = (
            select(OutboxEvent)
            .where(OutboxEvent.status == "pending", OutboxEvent.available_at <= now)
            .order_by(OutboxEvent.created_at, OutboxEvent.id)
            .limit(limit)
        )
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        return list((await self.session.scalars(stmt)).all())

    async def claim_one(self, event_id: uuid.UUID) -> OutboxEvent | None:
        """One event, if it is still pending and no other router holds it (locked, SKIP LOCKED
        on PostgreSQL)."""
        stmt = select(OutboxEvent).where(
            OutboxEvent.id == event_id, OutboxEvent.status == "pending"
        )
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        event: OutboxEvent | None = await self.session.scalar(stmt)
        return event

    async def take_positions(self, count: int) -> range:
        """The next ``count`` stream positions. The counter row stays locked until this
        transaction ends, so a second router waits here and numbers after this one commits."""
        last = await self.session.scalar(
            update(StreamCounter)
            .where(StreamCounter.name == STREAM)
            .values(value=StreamCounter.value + count)
            .returning(StreamCounter.value)
        )
        if last is None:
            raise RuntimeError("stream_counters has no 'outbox' row (run the migrations)")
        return range(last - count + 1, last + 1)

    async def mark_routed(self, events: Sequence[OutboxEvent], now: datetime) -> None:
        """Give each event its position (in the order given) and mark it routed."""
        positions = await self.take_positions(len(events))
        for event, position in zip(events, positions, strict=True):
            event.position = position
            event.status = "routed"
            event.sent_at = now
            event.attempts += 1
        await self.session.flush()

    async def mark_failed(
        self, event_id: uuid.UUID, *, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed routing; ``retry_at=None`` moves the event to the dead letters."""
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

    async def after(
        self, position: int, limit: int, *, types: Sequence[str] | None = None
    ) -> list[OutboxEvent]:
        """Routed events after ``position``, in stream order (every position up to the last
        committed one is visible, so a reader that goes on from the last it saw misses none).
        ``types`` keeps only those event types."""
        stmt = select(OutboxEvent).where(OutboxEvent.position > position)
        if types is not None:
            stmt = stmt.where(OutboxEvent.event_type.in_(list(types)))
        stmt = stmt.order_by(OutboxEvent.position).limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def oldest_after(self, position: int) -> datetime | None:
        """When the oldest event on the stream after ``position`` was written."""
        value: datetime | None = await self.session.scalar(
            select(func.min(OutboxEvent.created_at)).where(OutboxEvent.position > position)
        )
        return value

    async def last_position(self) -> int:
        """The last position given out (0 before the first); a new reader starts here."""
        value = await self.session.scalar(
            select(StreamCounter.value).where(StreamCounter.name == STREAM)
        )
        return int(value or 0)

    async def offset(self, consumer: str, *, lock: bool = False) -> int | None:
        """How far ``consumer`` got; ``None`` when it never ran. ``lock`` takes its row for
        this transaction (``SKIP LOCKED`` on PostgreSQL: ``None`` too when another holds it),
        so one process at a time consumes in order."""
        stmt = select(ConsumerOffset).where(ConsumerOffset.name == consumer)
        if lock and self._postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        row = await self.session.scalar(stmt)
        return None if row is None else row.position

    async def ensure_offset(self, consumer: str, start: int) -> None:
        """Create ``consumer``'s offset at ``start`` unless it exists (in one statement, so two
        processes starting at once do not collide)."""
        insert = postgresql.insert if self._postgres else sqlite.insert
        await self.session.execute(
            insert(ConsumerOffset)
            .values(name=consumer, position=start, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=[ConsumerOffset.name])
        )

    async def advance(self, consumer: str, position: int) -> None:
        await self.session.execute(
            update(ConsumerOffset)
            .where(ConsumerOffset.name == consumer)
            .values(position=position, updated_at=utcnow())
        )
