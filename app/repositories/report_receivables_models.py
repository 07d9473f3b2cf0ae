"""The receivables report's summary tables (应收账款), written only by the worker.

A fact per invoice (what aging reads: due date and what it owes now) and its money per day
(invoiced, collected, credited), both derived again whole from the transaction tables whenever
an event touches the invoice; roll-ups of that money per day and per month, per dimension and
key, summed again from the invoice days of the days touched; each key's balance now (a balance
at an earlier day is it less what moved after that day); what is open now per key and due date
(aging); and each customer's credit exposure as the credit check computes it."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base

OWES = "open_amount > 0"


class ReportArInvoice(Base):
    """An issued (or voided) invoice as the report sees it; ``open_amount``: owed now, the sum
    of its days' money (total less what is applied and not taken back)."""

    __tablename__ = "report_ar_invoices"
    __table_args__ = (
        Index("ix_report_ar_invoices_customer", "customer_id"),
        Index(
            "ix_report_ar_invoices_open_due",
            "due_date",
            postgresql_where=text(OWES),
            sqlite_where=text(OWES),
        ),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID]
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_group: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    issue_date: Mapped[date]
    due_date: Mapped[date]
    total: Mapped[Decimal]
    open_amount: Mapped[Decimal]


class ReportArInvoiceDay(Base):
    """An invoice's money on one day (signed; days with nothing are not kept)."""

    __tablename__ = "report_ar_invoice_days"

    invoice_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True, index=True)
    customer_id: Mapped[uuid.UUID]
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_group: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    invoiced: Mapped[Decimal]
    collected: Mapped[Decimal]
    credited: Mapped[Decimal]


class ReportArMovement(Base):
    """Money per period (``grain`` day or month), dimension (all, customer, customer_group),
    key and currency (the invoices')."""

    __tablename__ = "report_ar_movements"
    __table_args__ = (
        Index("ix_report_ar_movements_key", "grain", "dimension", "key", "currency", "period"),
    )

    grain: Mapped[str] = mapped_column(String(8), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    invoiced: Mapped[Decimal]
    collected: Mapped[Decimal]
    credited: Mapped[Decimal]


class ReportArBalance(Base):
    """A key's balance now: everything ever invoiced less everything collected and credited
    (the sum of its month rows). A balance at an earlier day is this less what moved after it,
    read from the month rows (and the day rows of one partial month)."""

    __tablename__ = "report_ar_balances"

    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    balance: Mapped[Decimal]


class ReportArOpen(Base):
    """What is open now per dimension, key, currency and due date (what aging buckets on the
    day it is read), summed again from the facts of the due dates a batch touched."""

    __tablename__ = "report_ar_open"

    dimension: Mapped[str] = mapped_column(String(24), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    due_date: Mapped[date] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    open_amount: Mapped[Decimal]


class ReportArCredit(Base):
    """A customer's credit position as the credit check computes it
    (``ReviewRepository.credit_position``): open receivables + open orders = exposure."""

    __tablename__ = "report_ar_credit"

    customer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64))
    customer_name: Mapped[str] = mapped_column(String(200))
    customer_group: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    credit_limit: Mapped[Decimal]
    open_receivables: Mapped[Decimal]
    open_orders: Mapped[Decimal]
    exposure: Mapped[Decimal]


RECEIVABLES_TABLES = (
    ReportArInvoice,
    ReportArInvoiceDay,
    ReportArMovement,
    ReportArBalance,
    ReportArOpen,
    ReportArCredit,
)
