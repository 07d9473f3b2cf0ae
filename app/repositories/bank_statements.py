"""Imported bank statements and their lines, matched to invoices or waiting for finance."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, Lookups, first
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.pagination import PageResult, paginate


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


def _locked(stmt: Select[tuple[Invoice]]) -> Select[tuple[Invoice]]:
    return stmt.with_for_update().execution_options(populate_existing=True)


class BankStatementRepository(Lookups[BankStatement]):
    model = BankStatement
    noun = "bank statement"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, row: BankStatement | BankStatementLine) -> None:
        self.session.add(row)

    async def by_digest(self, digest: str) -> BankStatement | None:
        return await first(
            self.session, select(BankStatement).where(BankStatement.digest == digest)
        )

    async def lines(self, statement_id: uuid.UUID) -> list[BankStatementLine]:
        stmt = (
            select(BankStatementLine)
            .where(BankStatementLine.statement_id == statement_id)
            .order_by(BankStatementLine.line_no)
        )
        return list(await self.session.scalars(stmt))

    async def line(self, line_id: uuid.UUID, *, lock: bool = False) -> BankStatementLine | None:
        stmt = select(BankStatementLine).where(BankStatementLine.id == line_id)
        if lock:
            stmt = stmt.with_for_update()
        return await first(self.session, stmt)

    async def seen_fingerprints(self, fingerprints: Sequence[str]) -> dict[str, uuid.UUID]:
        """The lines of earlier statements with these fingerprints, by fingerprint."""
        found: dict[str, uuid.UUID] = {}
        chunk = 500
        for start in range(0, len(fingerprints), chunk):
            stmt = select(BankStatementLine.fingerprint, BankStatementLine.id).where(
                BankStatementLine.fingerprint.in_(fingerprints[start : start + chunk])
            )
            found.update({fp: line_id for fp, line_id in await self.session.execute(stmt)})
        return found

    async def page_lines(
        self, status: str | None, *, limit: int, cursor: str | None
    ) -> PageResult[BankStatementLine]:
        """Lines by booking date, oldest first (the queue finance works through)."""
        stmt = select(BankStatementLine)
        if status is not None:
            stmt = stmt.where(BankStatementLine.status == status)
        columns = [BankStatementLine.booked_on, BankStatementLine.id]
        return await paginate(self.session, stmt, columns, limit=limit, cursor=cursor)

    async def payers(self, names: Sequence[str], accounts: Sequence[str]) -> list[Customer]:
        """Active customers a statement's payers may be: by name, buyer name or bank account
        (of their tax registration)."""
        registration = Customer.tax_registration
        conditions = [Customer.name.in_(names), registration["buyer_name"].as_string().in_(names)]
        if accounts:
            conditions.append(registration["account"].as_string().in_(accounts))
        stmt = select(Customer).where(Customer.active.is_(True), or_(*conditions))
        return list(await self.session.scalars(stmt))

    async def invoices_numbered(self, numbers: Sequence[str]) -> list[Invoice]:
        """The invoices a memo names, locked (a payment may be applied to one), as they are
        now (``populate_existing``: an invoice read earlier is read again)."""
        if not numbers:
            return []
        stmt = select(Invoice).where(Invoice.number.in_(numbers)).order_by(Invoice.id)
        return list(await self.session.scalars(_locked(stmt)))

    async def open_invoices(self, customer_id: uuid.UUID, currency: str) -> list[Invoice]:
        """The customer's issued invoices in ``currency`` still owing something, oldest due
        first, locked and read as they are now (a payment may be applied to them)."""
        stmt = (
            select(Invoice)
            .where(
                Invoice.customer_id == customer_id,
                Invoice.currency == currency,
                Invoice.status == "issued",
                Invoice.amount_paid + Invoice.amount_credited < Invoice.total,
            )
            .order_by(Invoice.due_date, Invoice.number)
        )
        return list(await self.session.scalars(_locked(stmt)))
