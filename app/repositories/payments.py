"""Payments received, their applications to invoices, credit notes and refunds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, Quantity, TimestampMixin, VersionedMixin
from app.repositories.numbering import next_document_number
from app.repositories.pagination import PageResult, paginate


class Payment(IdMixin, TimestampMixin, VersionedMixin, Base):
    """Money received from a customer. What is not applied to invoices (nor refunded) is the
    customer's unapplied credit. A reversed payment (a bounced transfer) has nothing applied."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("amount_applied >= 0 AND amount_refunded >= 0", name="used_not_negative"),
        CheckConstraint("amount_applied + amount_refunded <= amount", name="used_within_amount"),
        Index("ix_payments_customer_received", "customer_id", "received_on"),
        Index("ix_payments_created_at_id", "created_at", "id"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str | None] = mapped_column(String(200))
    received_on: Mapped[date]
    # The prepaid order it pays (a storefront order's payment), if any.
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    amount_applied: Mapped[Decimal] = mapped_column(default=Decimal(0))
    amount_refunded: Mapped[Decimal] = mapped_column(default=Decimal(0))
    reversed_at: Mapped[datetime | None]
    reversal_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(100))


class PaymentApplication(IdMixin, Base):
    """Part of a payment applied to an invoice. ``amount`` is in the payment's currency and
    ``applied`` in the invoice's (equal unless a rate converted it). Unapplying sets
    ``reversed_at``; nothing is deleted."""

    __tablename__ = "payment_applications"
    __table_args__ = (
        CheckConstraint("amount > 0 AND applied > 0", name="amount_positive"),
        Index("ix_payment_applications_invoice", "invoice_id", "reversed_at"),
    )

    payment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("payments.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    amount: Mapped[Decimal]
    applied: Mapped[Decimal]
    rate: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    applied_at: Mapped[datetime]
    applied_by: Mapped[str] = mapped_column(String(100))
    reversed_at: Mapped[datetime | None]
    reversed_by: Mapped[str | None] = mapped_column(String(100))


class CreditNote(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A credit note (红字) against an invoice: returned goods, a price adjustment, a discount
    after invoicing, or the red-letter note that voids an issued invoice. Applied to open
    invoices or refunded; never more than it corrects."""

    __tablename__ = "credit_notes"
    __table_args__ = (
        CheckConstraint("total > 0", name="total_positive"),
        CheckConstraint("amount_applied >= 0 AND amount_refunded >= 0", name="used_not_negative"),
        CheckConstraint("amount_applied + amount_refunded <= total", name="used_within_total"),
        Index("ix_credit_notes_customer_issue", "customer_id", "issue_date"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(String(500))
    issue_date: Mapped[date]
    net_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    total: Mapped[Decimal]
    amount_applied: Mapped[Decimal] = mapped_column(default=Decimal(0))
    amount_refunded: Mapped[Decimal] = mapped_column(default=Decimal(0))
    provider_number: Mapped[str | None] = mapped_column(String(64))
    provider_url: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(100))


class CreditNoteLine(IdMixin, Base):
    __tablename__ = "credit_note_lines"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    credit_note_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("credit_notes.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    invoice_line_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoice_lines.id"), index=True
    )
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    net: Mapped[Decimal]
    tax: Mapped[Decimal]
    total: Mapped[Decimal]


class CreditApplication(IdMixin, Base):
    """Part of a credit note applied to an invoice (same currency)."""

    __tablename__ = "credit_applications"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_credit_applications_invoice", "invoice_id", "reversed_at"),
    )

    credit_note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("credit_notes.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"))
    amount: Mapped[Decimal]
    applied_at: Mapped[datetime]
    applied_by: Mapped[str] = mapped_column(String(100))
    reversed_at: Mapped[datetime | None]
    reversed_by: Mapped[str | None] = mapped_column(String(100))


class Refund(IdMixin, Base):
    """Customer credit paid back: from a payment's unapplied part or a credit note's."""

    __tablename__ = "refunds"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("(payment_id IS NULL) <> (credit_note_id IS NULL)", name="one_source"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id"), index=True)
    credit_note_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("credit_notes.id"), index=True
    )
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str | None] = mapped_column(String(200))
    refunded_on: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(100))


@dataclass(frozen=True)
class PaymentFilter:
    customer_id: uuid.UUID | None = None
    status: str | None = None


class PaymentRepository(Lookups[Payment]):
    model = Payment
    noun = "payment"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: object) -> None:
        self.session.add(row)

    async def next_number(self, kind: str) -> int:
        """``kind``: payment, credit_note or refund."""
        return await next_document_number(self.session, kind, f"{kind}_number_seq")

    async def credit_note(
        self, credit_note_id: uuid.UUID, *, lock: bool = False
    ) -> CreditNote | None:
        stmt = select(CreditNote).where(CreditNote.id == credit_note_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def applications_of_payment(self, payment_id: uuid.UUID) -> list[PaymentApplication]:
        stmt = (
            select(PaymentApplication)
            .where(PaymentApplication.payment_id == payment_id)
            .order_by(PaymentApplication.applied_at, PaymentApplication.id)
        )
        return list(await self.session.scalars(stmt))

    async def for_order(self, order_id: uuid.UUID, *, lock: bool = False) -> list[Payment]:
        """Payments made for a prepaid order, oldest first (``lock``: locked, and read
        afresh even if this session holds them)."""
        stmt = (
            select(Payment)
            .where(Payment.order_id == order_id, Payment.status == "received")
            .order_by(Payment.created_at, Payment.id)
        )
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return list(await self.session.scalars(stmt))

    async def credit_note_lines(self, credit_note_id: uuid.UUID) -> list[CreditNoteLine]:
        stmt = (
            select(CreditNoteLine)
            .where(CreditNoteLine.credit_note_id == credit_note_id)
            .order_by(CreditNoteLine.line_no)
        )
        return list(await self.session.scalars(stmt))

    async def credited_by_line(
        self, invoice_line_ids: list[uuid.UUID], *, reason: str | None = None
    ) -> dict[uuid.UUID, tuple[Decimal, Decimal, Decimal]]:
        """(quantity, net, tax) credited so far per invoice line, by every credit note (or
        only by notes of ``reason``)."""
        stmt = (
            select(
                CreditNoteLine.invoice_line_id,
                func.sum(CreditNoteLine.quantity),
                func.sum(CreditNoteLine.net),
                func.sum(CreditNoteLine.tax),
            )
            .where(CreditNoteLine.invoice_line_id.in_(invoice_line_ids))
            .group_by(CreditNoteLine.invoice_line_id)
        )
        if reason is not None:
            stmt = stmt.join(CreditNote, CreditNote.id == CreditNoteLine.credit_note_id).where(
                CreditNote.reason == reason
            )
        rows = await self.session.execute(stmt)
        return {
            line_id: (Decimal(q), Decimal(n), Decimal(t))
            for line_id, q, n, t in rows
            if line_id is not None
        }

    async def credit_notes_of_invoice(
        self, invoice_id: uuid.UUID, *, lock: bool = False
    ) -> list[CreditNote]:
        stmt = select(CreditNote).where(CreditNote.invoice_id == invoice_id)
        if lock:
            stmt = stmt.with_for_update()
        return list(await self.session.scalars(stmt.order_by(CreditNote.number)))

    async def credit_applications(self, credit_note_id: uuid.UUID) -> list[CreditApplication]:
        stmt = (
            select(CreditApplication)
            .where(CreditApplication.credit_note_id == credit_note_id)
            .order_by(CreditApplication.applied_at, CreditApplication.id)
        )
        return list(await self.session.scalars(stmt))

    async def credit_note_page(
        self,
        *,
        customer_id: uuid.UUID | None,
        invoice_id: uuid.UUID | None,
        limit: int,
        cursor: str | None,
    ) -> PageResult[CreditNote]:
        """Newest number first, by customer or invoice."""
        stmt = select(CreditNote)
        if customer_id is not None:
            stmt = stmt.where(CreditNote.customer_id == customer_id)
        if invoice_id is not None:
            stmt = stmt.where(CreditNote.invoice_id == invoice_id)
        return await paginate(
            self.session, stmt, [CreditNote.number], limit=limit, cursor=cursor, descending=True
        )

    async def application(
        self, application_id: uuid.UUID, *, lock: bool = False
    ) -> PaymentApplication | None:
        stmt = select(PaymentApplication).where(PaymentApplication.id == application_id)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def refund(self, refund_id: uuid.UUID) -> Refund | None:
        return await self.session.get(Refund, refund_id)

    async def page(
        self, f: PaymentFilter, *, limit: int, cursor: str | None
    ) -> PageResult[Payment]:
        """Newest first, filtered."""
        stmt = select(Payment)
        if f.customer_id is not None:
            stmt = stmt.where(Payment.customer_id == f.customer_id)
        if f.status is not None:
            stmt = stmt.where(Payment.status == f.status)
        columns = [Payment.created_at, Payment.id]
        return await paginate(
            self.session, stmt, columns, limit=limit, cursor=cursor, descending=True
        )
