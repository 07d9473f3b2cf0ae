"""Exception alerts: at most one unresolved alert per rule and subject, enforced by a partial
unique index; raising is one ``INSERT ... ON CONFLICT DO NOTHING`` on that index, so two
transactions raising the same alert at once make one row (the second waits for the first and
then inserts nothing) on PostgreSQL as on SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, VersionedMixin
from app.repositories.pagination import PageResult, paginate

UNRESOLVED = "state <> 'resolved'"


class Alert(IdMixin, VersionedMixin, Base):
    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_open_subject",
            "rule",
            "subject_type",
            "subject_id",
            unique=True,
            sqlite_where=text(UNRESOLVED),
            postgresql_where=text(UNRESOLVED),
        ),
        Index("ix_alerts_subject", "subject_type", "subject_id"),
        Index("ix_alerts_opened", "opened_at", "id"),
    )

    rule: Mapped[str] = mapped_column(String(40), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16), index=True)
    role: Mapped[str] = mapped_column(String(32), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]]
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(100))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolution_reason: Mapped[str | None] = mapped_column(String(500))


@dataclass(frozen=True)
class AlertFilter:
    state: str | None = None
    rule: str | None = None
    severity: str | None = None
    role: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    opened_since: datetime | None = None


class AlertRepository(Lookups[Alert]):
    model = Alert
    noun = "alert"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_open(self, values: dict[str, Any]) -> Alert | None:
        """Insert an open alert unless one of its rule and subject is unresolved; the new
        row, or None when there was one already."""
        dialect = postgresql if self.session.bind.dialect.name == "postgresql" else sqlite
        stmt = (
            dialect.insert(Alert)
            .values(**values, state="open", version=1)
            .on_conflict_do_nothing(
                index_elements=["rule", "subject_type", "subject_id"],
                index_where=text(UNRESOLVED),
            )
            .returning(Alert.id)
        )
        inserted = (await self.session.execute(stmt)).scalar_one_or_none()
        return None if inserted is None else await self.get(inserted)

    async def unresolved_of(self, rule: str, subject_type: str, subject_id: str) -> Sequence[Alert]:
        """The unresolved alert of the rule and subject (at most one), locked: a concurrent
        resolver waits for this transaction and then finds it resolved."""
        stmt = (
            select(Alert)
            .where(
                Alert.rule == rule,
                Alert.subject_type == subject_type,
                Alert.subject_id == subject_id,
                Alert.state != "resolved",
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).all()

    async def unresolved(
        self, rule: str, *, after: uuid.UUID | None, limit: int
    ) -> Sequence[Alert]:
        """Unresolved alerts of ``rule`` by id, after ``after`` (the scan's batches)."""
        stmt = select(Alert).where(Alert.rule == rule, Alert.state != "resolved")
        if after is not None:
            stmt = stmt.where(Alert.id > after)
        return (await self.session.scalars(stmt.order_by(Alert.id).limit(limit))).all()

    async def page(self, f: AlertFilter, *, limit: int, cursor: str | None) -> PageResult[Alert]:
        """Newest first, filtered."""
        stmt = select(Alert)
        for column, value in (
            (Alert.state, f.state),
            (Alert.rule, f.rule),
            (Alert.severity, f.severity),
            (Alert.role, f.role),
            (Alert.subject_type, f.subject_type),
            (Alert.subject_id, f.subject_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if f.opened_since is not None:
            stmt = stmt.where(Alert.opened_at >= f.opened_since)
        columns = [Alert.opened_at, Alert.id]
        return await paginate(
            self.session, stmt, columns, limit=limit, cursor=cursor, descending=True
        )
