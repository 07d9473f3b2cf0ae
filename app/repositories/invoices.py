"""Invoices and their lines, and the shipments they bill (one invoice per shipment, ever)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import (
    Base,
    IdMixin,
    Lookups,
    Quantity,
    TimestampMixin,
    VersionedMixin,
)
from app.repositories.numbering import next_document_number
from app.repositories.pagination import PageResult, paginate


class Invoice(IdMixin, TimestampMixin, VersionedMixin, Base):
    """A sales invoice. ``status`` is draft, issued or void; paid, partially paid and overdue
    are derived from ``amount_paid``, ``amount_credited`` and ``due_date``
    (``app.domain.billing.invoices.standing``)."""

    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("amount_paid >= 0 AND amount_credited >= 0", name="applied_not_negative"),
        CheckConstraint("amount_paid + amount_credited <= total", name="applied_within_total"),
        Index("ix_invoices_customer_issue", "customer_id", "issue_date"),
        Index("ix_invoices_status_due", "status", "due_date"),
        Index("ix_invoices_created_at_id", "created_at", "id"),
    )

    number: Mapped[str] = mapped_column(String(32), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), index=True)
    invoice_type: Mapped[str] = mapped_column(String(16), default="ordinary")
    # How it came to be: on_shipment, on_delivery, periodic or manual.
    source: Mapped[str] = mapped_column(String(16))
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    # The buyer's tax registration as it was when the invoice was made.
    buyer: Mapped[dict[str, Any] | None]
    issue_date: Mapped[date | None]
    due_date: Mapped[date | None]
    net_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    total: Mapped[Decimal]
    amount_paid: Mapped[Decimal] = mapped_column(default=Decimal(0))
    amount_credited: Mapped[Decimal] = mapped_column(default=Decimal(0))
    # What the e-invoice provider answered when the invoice was issued.
    provider_number: Mapped[str | None] = mapped_column(String(64))
    provider_url: Mapped[str | None] = mapped_column(Text)
    issued_at: Mapped[datetime | None]
    issued_by: Mapped[str | None] = mapped_column(String(100))
    voided_at: Mapped[datetime | None]
    voided_by: Mapped[str | None] = mapped_column(String(100))
    void_reason: Mapped[str | None] = mapped_column(String(500))
    # When ``invoice.overdue`` was raised (once per invoice).
    overdue_raised_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(100))


class InvoiceLine(IdMixin, Base):
    """A shipment line billed, priced as its order line was."""

    __tablename__ = "invoice_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id"), index=True)
    order_line_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("order_lines.id"), index=True)
    shipment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[Decimal]
    discount_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(0))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    gross: Mapped[Decimal]
    discount: Mapped[Decimal]
    net: Mapped[Decimal]
    tax: Mapped[Decimal]
    total: Mapped[Decimal]


class InvoicedShipment(Base):
    """A shipment billed by an invoice: the primary key makes invoicing a shipment twice —
    even by two transactions at once — fail, so it makes one invoice. Voiding an invoice
    removes its rows, so the shipment can be billed again."""

    __tablename__ = "invoiced_shipments"

    shipment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )


@dataclass(frozen=True)
class InvoiceFilter:
    customer_id: uuid.UUID | None = None
    status: str | None = None
    order_id: uuid.UUID | None = None
    # Issued, not settled, and past due on this date.
    overdue_on: date | None = None


class InvoiceRepository(Lookups[Invoice]):
    model = Invoice
    noun = "invoice"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, invoice: Invoice, lines: Sequence[InvoiceLine]) -> None:
        self.session.add(invoice)
        self.session.add_all(lines)

    async def next_number(self) -> int:
        return await next_document_number(self.session, "invoice", "invoice_number_seq")

    async def lines(self, invoice_id: uuid.UUID) -> list[InvoiceLine]:
        stmt = (
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.line_no)
        )
        return list(await self.session.scalars(stmt))

    async def issued_lines_of(self, order_line_ids: Sequence[uuid.UUID]) -> list[InvoiceLine]:
        """The lines of issued invoices that bill these order lines, oldest invoice first."""
        stmt = (
            select(InvoiceLine)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(InvoiceLine.order_line_id.in_(order_line_ids), Invoice.status == "issued")
            .order_by(Invoice.number, InvoiceLine.line_no)
        )
        return list(await self.session.scalars(stmt))

    async def billing_of_shipment(self, shipment_id: uuid.UUID) -> uuid.UUID | None:
        """The invoice that bills ``shipment_id`` (voided invoices bill nothing)."""
        stmt = select(InvoicedShipment.invoice_id).where(
            InvoicedShipment.shipment_id == shipment_id
        )
        found: uuid.UUID | None = await self.session.scalar(stmt)
        return found

    def bill_shipments(self, invoice_id: uuid.UUID, shipment_ids: Sequence[uuid.UUID]) -> None:
        self.session.add_all(
            InvoicedShipment(shipment_id=s, invoice_id=invoice_id) for s in shipment_ids
        )

    async def unbill_shipments(self, invoice_id: uuid.UUID) -> None:
        rows = await self.session.scalars(
            select(InvoicedShipment).where(InvoicedShipment.invoice_id == invoice_id)
        )
        for row in rows:
            await self.session.delete(row)

    async def of_orders(self, order_ids: Sequence[uuid.UUID]) -> list[Invoice]:
        """The invoices (any status) with a line of one of ``order_ids``."""
        stmt = select(Invoice).where(
            Invoice.id.in_(
                select(InvoiceLine.invoice_id).where(InvoiceLine.order_id.in_(order_ids))
            )
        )
        return list(await self.session.scalars(stmt))

    async def open_for_update(self, customer_id: uuid.UUID, currency: str) -> list[Invoice]:
        """The customer's issued invoices in ``currency`` that still owe something, locked in
        id order (the lock order of invoices)."""
        stmt = (
            select(Invoice)
            .where(
                Invoice.customer_id == customer_id,
                Invoice.currency == currency,
                Invoice.status == "issued",
                Invoice.amount_paid + Invoice.amount_credited < Invoice.total,
            )
            .order_by(Invoice.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(await self.session.scalars(stmt))

    async def open_of_order_for_update(self, order_id: uuid.UUID) -> list[Invoice]:
        """The issued invoices billing ``order_id`` that still owe something, locked in id
        order and read afresh."""
        stmt = (
            select(Invoice)
            .where(
                Invoice.id.in_(
                    select(InvoiceLine.invoice_id).where(InvoiceLine.order_id == order_id)
                ),
                Invoice.status == "issued",
                Invoice.amount_paid + Invoice.amount_credited < Invoice.total,
            )
            .order_by(Invoice.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return list(await self.session.scalars(stmt))

    async def order_ids(self, invoice_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        """The orders the invoices bill, in a fixed order (the order lock order)."""
        stmt = (
            select(InvoiceLine.order_id).where(InvoiceLine.invoice_id.in_(invoice_ids)).distinct()
        )
        return sorted(await self.session.scalars(stmt), key=str)

    async def page(
        self, f: InvoiceFilter, *, limit: int, cursor: str | None
    ) -> PageResult[Invoice]:
        """Newest first, filtered."""
        stmt = select(Invoice)
        if f.customer_id is not None:
            stmt = stmt.where(Invoice.customer_id == f.customer_id)
        if f.status is not None:
            stmt = stmt.where(Invoice.status == f.status)
        if f.order_id is not None:
            billed = select(InvoiceLine.invoice_id).where(InvoiceLine.order_id == f.order_id)
            stmt = stmt.where(Invoice.id.in_(billed))
        if f.overdue_on is not None:
            stmt = stmt.where(
                Invoice.status == "issued",
                Invoice.due_date < f.overdue_on,
                Invoice.amount_paid + Invoice.amount_credited < Invoice.total,
            )
        columns = [Invoice.created_at, Invoice.id]
        return await paginate(
            self.session, stmt, columns, limit=limit, cursor=cursor, descending=True
        )

    async def claim_overdue_unraised(
        self, today: date, at: datetime, *, limit: int
    ) -> list[OverdueInvoice]:
        """Up to ``limit`` issued invoices with a balance, due before ``today``, whose
        ``invoice.overdue`` was not raised yet, marked raised ``at`` (a plain UPDATE: raising
        is no edit of the invoice, so its version stays). ``FOR UPDATE SKIP LOCKED`` on
        PostgreSQL: two workers at once claim different invoices, each once."""
        owed = Invoice.total - Invoice.amount_paid - Invoice.amount_credited
        stmt = (
            select(
                Invoice.id,
                Invoice.number,
                Invoice.customer_id,
                Invoice.currency,
                Invoice.due_date,
                owed,
            )
            .where(
                Invoice.status == "issued",
                Invoice.due_date < today,
                Invoice.overdue_raised_at.is_(None),
                owed > 0,
            )
            .order_by(Invoice.due_date, Invoice.id)
            .limit(limit)
        )
        if self.session.bind.dialect.name == "postgresql":
            stmt = stmt.with_for_update(of=Invoice, skip_locked=True)
        rows = [
            OverdueInvoice(invoice_id, number, customer_id, currency, due, Decimal(str(owing)))
            for invoice_id, number, customer_id, currency, due, owing in (
                await self.session.execute(stmt)
            ).tuples()
            if due is not None
        ]
        if rows:
            await self.session.execute(
                update(Invoice)
                .where(Invoice.id.in_([r.id for r in rows]))
                .values(overdue_raised_at=at)
                .execution_options(synchronize_session=False)
            )
        return rows


@dataclass(frozen=True)
class OverdueInvoice:
    """An invoice past its due date with a balance, as ``invoice.overdue`` tells it."""

    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    currency: str
    due_date: date
    balance: Decimal
