"""Audit events and the transactional outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, utcnow
from app.repositories.pagination import PageResult, paginate


class AuditEvent(IdMixin, Base):
    """Who did what to which record, when, with the state before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id", "at"),)

    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]


class OutboxEvent(IdMixin, Base):
    """An event for the outside world, written in the transaction that made it happen.

    The worker routes it after commit (``app.worker.routing``): it takes the next ``position``
    of the event stream, in commit order, and the routes fan it out to what sends it on
    (webhook deliveries, notifications); positioned consumers (the live stream, NATS) read the
    stream by position. ``status``: ``pending`` until routed, then ``routed``; ``dead`` when
    routing failed ``dispatcher_max_attempts`` times."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_available_at", "status", "available_at"),)

    event_type: Mapped[str] = mapped_column(String(100))
    aggregate_type: Mapped[str] = mapped_column(String(50))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]  # when it was routed
    position: Mapped[int | None] = mapped_column(BigInteger, index=True, unique=True)


class StreamCounter(Base):
    """The last position given out; its row lock, held until the routing transaction commits,
    makes positions increase in commit order (a reader never sees 7 before 6 commits)."""

    __tablename__ = "stream_counters"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class ConsumerOffset(Base):
    """How far a positioned consumer of the event stream got (the NATS publisher, ...)."""

    __tablename__ = "consumer_offsets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page_for(
        self, entity_type: str, entity_id: str, *, limit: int, cursor: str | None
    ) -> PageResult[AuditEvent]:
        """The timeline of one record, oldest first."""
        stmt = select(AuditEvent).where(
            AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id
        )
        return await paginate(
            self.session, stmt, [AuditEvent.at, AuditEvent.id], limit=limit, cursor=cursor
        )
