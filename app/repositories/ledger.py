"""The journal: entries and their lines, written only by the ledger's reaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin


class JournalEntry(IdMixin, Base):
    __tablename__ = "journal_entries"
    __table_args__ = (Index("ix_journal_entries_posted_at_id", "posted_at", "id"),)

    posted_at: Mapped[datetime]
    memo: Mapped[str] = mapped_column(String(200))
    # The record and the event that posted it (``invoice``/``issued``, ``payment``/``received``).
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(100))


class JournalLine(IdMixin, Base):
    __tablename__ = "journal_lines"
    __table_args__ = (
        CheckConstraint("debit >= 0 AND credit >= 0", name="amounts_not_negative"),
        CheckConstraint("debit = 0 OR credit = 0", name="debit_or_credit"),
        Index("ix_journal_lines_account_customer", "account", "customer_id"),
    )

    entry_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="CASCADE"), index=True
    )
    account: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("customers.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    debit: Mapped[Decimal]
    credit: Mapped[Decimal]


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, entry: JournalEntry, lines: list[JournalLine]) -> None:
        self.session.add(entry)
        self.session.add_all(lines)
