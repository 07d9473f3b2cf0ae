"""Imported bank statements and their lines, matched to invoices or waiting for finance."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin


class BankStatement(IdMixin, Base):
    __tablename__ = "bank_statements"

    # SHA-256 of the file: the same file imported twice is the same statement.
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str] = mapped_column(String(16))
    imported_at: Mapped[datetime]
    imported_by: Mapped[str] = mapped_column(String(100))
    line_count: Mapped[int] = mapped_column(Integer)
    matched_count: Mapped[int] = mapped_column(Integer, default=0)


class BankStatementLine(IdMixin, Base):
    """One received transfer. ``fingerprint`` (date, amount, payer account, reference) keeps a
    transfer that appears in two overlapping statements from becoming two payments."""

    __tablename__ = "bank_statement_lines"
    __table_args__ = (
        UniqueConstraint("fingerprint", name="bank_line_fingerprint"),
        Index("ix_bank_statement_lines_status", "status", "booked_on"),
    )

    statement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bank_statements.id", ondelete="CASCADE"), index=True
    )
    line_no: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    booked_on: Mapped[date]
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    payer_name: Mapped[str] = mapped_column(String(200))
    payer_account: Mapped[str | None] = mapped_column(String(64))
    memo: Mapped[str] = mapped_column(Text, default="")
    # unmatched (waiting for finance), matched (a payment was made) or ignored.
    status: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("payments.id"), index=True)
    matched_by: Mapped[str | None] = mapped_column(String(100))
    matched_rule: Mapped[str | None] = mapped_column(String(32))


class BankStatementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
