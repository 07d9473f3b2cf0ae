"""Outbound webhook endpoints, their deliveries (one per endpoint and event) and the log of
every attempt. The worker's side of the deliveries is in ``webhook_deliveries``."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, TimestampMixin, VersionedMixin, utcnow
from app.repositories.pagination import PageResult, paginate


class WebhookEndpoint(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A receiver of events. ``secret`` signs every delivery and is never read back by the
    API; after a rotation ``previous_secret`` signs beside it until ``previous_secret_until``.
    ``failing_since``: the first failed attempt since the last success. A disabled endpoint
    (``active`` false with ``disabled_at``) was switched off by the worker."""

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(500))
    event_types: Mapped[list[str]]
    active: Mapped[bool] = mapped_column(default=True, index=True)
    secret: Mapped[str] = mapped_column(String(200))
    previous_secret: Mapped[str | None] = mapped_column(String(200))
    previous_secret_until: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    updated_by: Mapped[str] = mapped_column(String(100))


class WebhookDelivery(Base):
    """One event for one endpoint. ``id`` is derived from both
    (``app.domain.webhooks.delivery_id``) and is the ``webhook-id``'s body. ``status``:
    pending → delivered, or dead after the last attempt. ``next_attempt_at`` is when it is
    due, and while a worker sends it, the end of that worker's lease. The event's stream
    position (``outbox.position``) orders the deliveries of one ``ordering_key``."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_chain", "endpoint_id", "ordering_key", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_endpoints.id"))
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    ordering_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class WebhookAttempt(IdMixin, Base):
    """One POST of a delivery: the HTTP status or the transport error, how long it took and
    the start of the answer (at most 1 KiB)."""

    __tablename__ = "webhook_attempts"
    __table_args__ = (Index("ix_webhook_attempts_delivery_at", "delivery_id", "at"),)

    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook_deliveries.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(BigInteger)
    response_excerpt: Mapped[str | None] = mapped_column(Text)


class WebhookEndpointRepository(Lookups[WebhookEndpoint]):
    model = WebhookEndpoint
    noun = "webhook endpoint"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, endpoint: WebhookEndpoint) -> None:
        self.session.add(endpoint)

    async def page(
        self, *, active: bool | None, limit: int, cursor: str | None
    ) -> PageResult[WebhookEndpoint]:
        stmt = select(WebhookEndpoint)
        if active is not None:
            stmt = stmt.where(WebhookEndpoint.active == active)
        columns = [WebhookEndpoint.created_at, WebhookEndpoint.id]
        return await paginate(self.session, stmt, columns, limit=limit, cursor=cursor)

    async def deliveries(
        self, endpoint_id: uuid.UUID, *, status: str | None, limit: int, cursor: str | None
    ) -> PageResult[WebhookDelivery]:
        """An endpoint's deliveries, newest first."""
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        if status is not None:
            stmt = stmt.where(WebhookDelivery.status == status)
        columns = [WebhookDelivery.created_at, WebhookDelivery.id]
        return await paginate(
            self.session, stmt, columns, limit=limit, cursor=cursor, descending=True
        )

    async def delivery(self, endpoint_id: uuid.UUID, row_id: uuid.UUID) -> WebhookDelivery | None:
        stmt = select(WebhookDelivery).where(
            WebhookDelivery.id == row_id, WebhookDelivery.endpoint_id == endpoint_id
        )
        return (await self.session.scalars(stmt)).first()

    async def attempts(self, delivery_id: uuid.UUID, limit: int = 100) -> list[WebhookAttempt]:
        """The latest ``limit`` attempts of a delivery, oldest first."""
        stmt = (
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.at.desc(), WebhookAttempt.id)
            .limit(limit)
        )
        return list(reversed((await self.session.scalars(stmt)).all()))
