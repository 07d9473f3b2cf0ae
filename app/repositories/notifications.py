"""Notifications (the log of what was told to whom) and the templates admins changed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    cast,
    exists,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, TimestampMixin, utcnow
from app.repositories.invoices import Invoice
from app.repositories.pagination import PageResult, paginate
from app.repositories.shipments import Shipment


class Notification(IdMixin, TimestampMixin, Base):
    """One message on one channel, rendered when its event was routed. ``status``: pending →
    sent, or failed (dead) after ``LADING_NOTIFICATION_MAX_ATTEMPTS``; skipped when the
    customer opted out or has no address. ``step`` is the overdue reminder's days past due
    (0 for every other kind)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint(
            "subject_type", "subject_id", "kind", "step", "channel", name="notification_once"
        ),
        Index("ix_notifications_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_notifications_created_at_id", "created_at", "id"),
    )

    kind: Mapped[str] = mapped_column(String(32), index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str | None] = mapped_column(String(2000))
    language: Mapped[str] = mapped_column(String(8))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    message_subject: Mapped[str | None] = mapped_column(Text)
    message_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    provider_answer: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    outbox_event_id: Mapped[uuid.UUID | None]


class NotificationTemplate(IdMixin, TimestampMixin, Base):
    """An admin's override of a default template (``app.services.notifications.defaults``)."""

    __tablename__ = "notification_templates"
    __table_args__ = (
        UniqueConstraint("kind", "channel", "language", name="notification_template_key"),
    )

    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))


ANSWER_MAX = 2000
_GROUPS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.bind.dialect.name == "postgresql"

    async def add_once(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert the rows that are new; one already made for its subject, kind, step and
        channel is left as it is (an event routed twice makes nothing twice)."""
        if not rows:
            return 0
        now = utcnow()
        values = [
            {"id": uuid.uuid4(), "created_at": now, "updated_at": now, "attempts": 0, **r}
            for r in rows
        ]
        dialect = postgresql if self._postgres else sqlite
        stmt = dialect.insert(Notification).values(values).on_conflict_do_nothing()
        result = await self.session.execute(stmt)
        return int(getattr(result, "rowcount", 0) or 0)

    async def get(self, notification_id: uuid.UUID) -> Notification | None:
        return await self.session.get(Notification, notification_id)

    async def claim_due(
        self, now: datetime, lease_until: datetime, limit: int
    ) -> list[Notification]:
        """Pending notifications that are due, leased until ``lease_until`` (their next attempt
        moves there, so another worker skips them; one that dies is retried after the lease).
        ``FOR UPDATE SKIP LOCKED`` on PostgreSQL: concurrent workers never claim one twice."""
        stmt = (
            select(Notification)
            .where(Notification.status == "pending", Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list((await self.session.scalars(stmt)).all())
        for row in rows:
            row.next_attempt_at = lease_until
            row.attempts += 1
        await self.session.flush()
        return rows

    async def finish(
        self,
        notification_id: uuid.UUID,
        *,
        status: str,
        answer: str,
        next_attempt_at: datetime | None,
        sent_at: datetime | None,
    ) -> None:
        await self.session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(
                status=status,
                provider_answer=answer[:ANSWER_MAX],
                next_attempt_at=next_attempt_at,
                sent_at=sent_at,
                updated_at=utcnow(),
            )
        )

    async def page(
        self, *, filters: Mapping[str, Any], limit: int, cursor: str | None
    ) -> PageResult[Notification]:
        """The log, newest first, filtered by the given columns."""
        stmt = select(Notification)
        for name, value in filters.items():
            if value is not None:
                stmt = stmt.where(getattr(Notification, name) == value)
        return await paginate(
            self.session,
            stmt,
            [Notification.created_at, Notification.id],
            limit=limit,
            cursor=cursor,
            descending=True,
        )

    async def overdue_without_reminder(
        self, step: int, latest: date, earliest: date | None, limit: int
    ) -> list[Invoice]:
        """Issued invoices with something owed, due between ``earliest`` and ``latest``, that
        have no reminder of this step yet."""
        reminded = exists().where(
            and_(
                Notification.subject_type == "invoice",
                Notification.subject_id == self._uuid_text(Invoice.id),
                Notification.kind == "invoice_overdue",
                Notification.step == step,
            )
        )
        stmt = (
            select(Invoice)
            .where(
                Invoice.status == "issued",
                Invoice.due_date <= latest,
                Invoice.amount_paid + Invoice.amount_credited < Invoice.total,
                ~reminded,
            )
            .order_by(Invoice.due_date, Invoice.id)
            .limit(limit)
        )
        if earliest is not None:
            stmt = stmt.where(Invoice.due_date >= earliest)
        return list((await self.session.scalars(stmt)).all())

    def _uuid_text(self, column: Any) -> Any:
        """A UUID column as the hyphenated text ``subject_id`` holds: PostgreSQL casts its
        ``uuid``; SQLite stores 32 hex digits, which are cut into the 8-4-4-4-12 groups."""
        if self._postgres:
            return cast(column, String)
        parts = [func.substr(column, start, size) for start, size in _GROUPS]
        text: Any = parts[0]
        for part in parts[1:]:
            text = text.op("||")("-").op("||")(part)
        return func.lower(text)

    async def latest_shipment_of(self, order_id: uuid.UUID) -> Shipment | None:
        """The order's newest shipment (what a preview of a shipping template shows)."""
        stmt = (
            select(Shipment)
            .where(Shipment.order_id == order_id)
            .order_by(Shipment.created_at.desc(), Shipment.id)
            .limit(1)
        )
        return (await self.session.scalars(stmt)).first()

    # --- templates ---------------------------------------------------------------------

    async def templates(self) -> list[NotificationTemplate]:
        stmt = select(NotificationTemplate).order_by(
            NotificationTemplate.kind, NotificationTemplate.channel, NotificationTemplate.language
        )
        return list((await self.session.scalars(stmt)).all())

    async def template(
        self, kind: str, channel: str, language: str, *, lock: bool = False
    ) -> NotificationTemplate | None:
        stmt = select(NotificationTemplate).where(
            NotificationTemplate.kind == kind,
            NotificationTemplate.channel == channel,
            NotificationTemplate.language == language,
        )
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).first()

    def add_template(self, template: NotificationTemplate) -> None:
        self.session.add(template)

    async def delete_template(self, template: NotificationTemplate) -> None:
        await self.session.delete(template)
        await self.session.flush()
