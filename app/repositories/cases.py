"""Service cases: the case, the order lines it is about, its timeline, its attachments, and
delivery feedback (one rating per shipment, enforced by a unique constraint)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, SmallInteger, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, Quantity, VersionedMixin
from app.repositories.numbering import next_document_number


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
