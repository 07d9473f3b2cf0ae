"""Service cases: the case, the order lines it is about, its timeline, its attachments, and
delivery feedback (one rating per shipment, enforced by a unique constraint)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    and_,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column, undefer
from sqlalchemy.sql.elements import ColumnElement

from app.domain.after_sales.cases import OPEN_STATES
from app.repositories.base import Base, IdMixin, Lookups, Quantity, VersionedMixin
from app.repositories.numbering import next_document_number
from app.repositories.pagination import PageResult, paginate

OPEN = sorted(s.value for s in OPEN_STATES)


class ServiceCase(IdMixin, VersionedMixin, Base):
    __tablename__ = "service_cases"
    __table_args__ = (Index("ix_service_cases_opened", "opened_at", "id"),)

    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"), index=True)
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    priority: Mapped[str] = mapped_column(String(16), index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    assignee: Mapped[str | None] = mapped_column(String(100), index=True)
    resolution_reason: Mapped[str | None] = mapped_column(String(500))
    # The secret a customer who opened the case from a tracking page reads it with (hashed).
    customer_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(100))
    first_response_at: Mapped[datetime | None]
    response_due_at: Mapped[datetime] = mapped_column(index=True)
    resolution_due_at: Mapped[datetime] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(100))


class CaseLine(IdMixin, Base):
    """An order line the case is about, and how much of it."""

    __tablename__ = "case_lines"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_cases.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[Decimal | None] = mapped_column(Quantity)


class CaseEntry(IdMixin, Base):
    """One timeline entry: a message, an internal note, or a recorded change."""

    __tablename__ = "case_entries"
    __table_args__ = (Index("ix_case_entries_case_at", "case_id", "created_at", "id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]


class CaseAttachment(IdMixin, Base):
    __tablename__ = "case_attachments"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_cases.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("case_entries.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    visibility: Mapped[str] = mapped_column(String(16))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


class DeliveryFeedback(IdMixin, Base):
    __tablename__ = "delivery_feedback"

    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), unique=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(100))


def overdue(at: datetime) -> ColumnElement[bool]:
    """Open cases past a target at ``at``: ``app.domain.after_sales.cases.is_overdue`` in SQL
    (the case list's filter and the ``case_overdue`` alert)."""
    c = ServiceCase
    return and_(
        c.state.in_(OPEN),
        or_(
            c.resolution_due_at < at,
            and_(c.first_response_at.is_(None), c.response_due_at < at),
        ),
    )


@dataclass(frozen=True)
class CaseFilter:
    state: str | None = None
    kind: str | None = None
    priority: str | None = None
    assignee: str | None = None
    customer_id: uuid.UUID | None = None
    order_id: uuid.UUID | None = None
    overdue_at: datetime | None = None  # open cases past a target at this time


class CaseRepository(Lookups[ServiceCase]):
    """Cases and their parts. Helpers of a capability add intent-named methods here."""

    model = ServiceCase
    noun = "service case"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_number(self) -> int:
        return await next_document_number(self.session, "service_case")

    def add(self, row: ServiceCase | CaseLine | CaseEntry | CaseAttachment) -> None:
        self.session.add(row)

    async def lines(self, case_id: uuid.UUID) -> list[CaseLine]:
        stmt = select(CaseLine).where(CaseLine.case_id == case_id).order_by(CaseLine.id)
        return list((await self.session.scalars(stmt)).all())

    async def feedback_for_shipment(self, shipment_id: uuid.UUID) -> DeliveryFeedback | None:
        stmt = select(DeliveryFeedback).where(DeliveryFeedback.shipment_id == shipment_id)
        return (await self.session.scalars(stmt)).first()

    def add_feedback(self, row: DeliveryFeedback) -> None:
        self.session.add(row)

    async def get_for_update(self, row_id: uuid.UUID) -> ServiceCase | None:
        stmt = (
            select(ServiceCase)
            .where(ServiceCase.id == row_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).first()

    async def entries(self, case_id: uuid.UUID) -> list[CaseEntry]:
        """The timeline, oldest first."""
        stmt = (
            select(CaseEntry)
            .where(CaseEntry.case_id == case_id)
            .order_by(CaseEntry.created_at, CaseEntry.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def by_customer_token(self, token_hash: str) -> ServiceCase | None:
        stmt = select(ServiceCase).where(ServiceCase.customer_token_hash == token_hash)
        return (await self.session.scalars(stmt)).first()

    async def page(
        self, f: CaseFilter, *, limit: int, cursor: str | None
    ) -> PageResult[ServiceCase]:
        """Cases, newest first."""
        c = ServiceCase
        stmt = select(c)
        for column, value in (
            (c.state, f.state),
            (c.kind, f.kind),
            (c.priority, f.priority),
            (c.assignee, f.assignee),
            (c.customer_id, f.customer_id),
            (c.order_id, f.order_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if f.overdue_at is not None:
            stmt = stmt.where(overdue(f.overdue_at))
        return await paginate(
            self.session, stmt, [c.opened_at, c.id], limit=limit, cursor=cursor, descending=True
        )

    async def feedback_page(
        self,
        rating: int | None,
        customer_id: uuid.UUID | None,
        *,
        limit: int,
        cursor: str | None,
    ) -> PageResult[DeliveryFeedback]:
        stmt = select(DeliveryFeedback)
        if rating is not None:
            stmt = stmt.where(DeliveryFeedback.rating == rating)
        if customer_id is not None:
            stmt = stmt.where(DeliveryFeedback.customer_id == customer_id)
        return await paginate(
            self.session,
            stmt,
            [DeliveryFeedback.created_at, DeliveryFeedback.id],
            limit=limit,
            cursor=cursor,
            descending=True,
        )

    async def attachment(self, attachment_id: uuid.UUID) -> CaseAttachment | None:
        """An attachment with its bytes."""
        stmt = (
            select(CaseAttachment)
            .where(CaseAttachment.id == attachment_id)
            .options(undefer(CaseAttachment.data))
        )
        return (await self.session.scalars(stmt)).first()
