"""Reading the journal: account totals, the export, a customer's entries, and the entries' balance;
and the helpers every reading of the books shares."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.ledger import JournalEntry, JournalLine
from app.repositories.payments import (
    CreditNote,
    Payment,
    Refund,
)

ZERO = Decimal(0)
# Invoices that posted a receivable: issued, or issued and voided later.
POSTED_STATUSES = ("issued", "void")


@dataclass(frozen=True)
class AccountTotal:
    account: str
    currency: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class ExportLine:
    line_id: uuid.UUID
    entry_id: uuid.UUID
    posted_at: datetime
    memo: str
    source_type: str
    source_id: str
    action: str
    account: str
    customer_code: str | None
    currency: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class CustomerMovement:
    """The net of one entry on a customer's receivable and credit accounts, in a currency:
    what the entry changed in what the customer owes."""

    entry_id: uuid.UUID
    posted_at: datetime
    memo: str
    source_type: str
    source_id: str
    action: str
    currency: str
    amount: Decimal


PLACES = Decimal("0.0001")  # the scale of money columns


def _dec(value: Any) -> Decimal:
    """A sum as the database gave it (SQLite sums NUMERIC as floating point) at the scale
    of the money columns."""
    return Decimal(str(value)).quantize(PLACES) if value is not None else ZERO


def _nonzero(expr: Any) -> ColumnElement[bool]:
    """``expr`` is not zero at the money scale (robust to SQLite's floating-point sums)."""
    return func.round(expr, 4) != 0


def _above(expr: Any, limit: Any) -> ColumnElement[bool]:
    return func.round(expr - limit, 4) > 0


def _active_at(reversed_at: Any, at: datetime | None) -> ColumnElement[bool]:
    if at is None:
        return reversed_at.is_(None)  # type: ignore[no-any-return]
    return or_(reversed_at.is_(None), reversed_at > at)


class JournalReads:
    session: AsyncSession

    # --- the journal ------------------------------------------------------------------------

    async def account_totals(self, before: datetime) -> list[AccountTotal]:
        """Debits and credits per account and currency of entries posted before ``before``."""
        stmt = (
            select(
                JournalLine.account,
                JournalLine.currency,
                func.sum(JournalLine.debit),
                func.sum(JournalLine.credit),
            )
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(JournalEntry.posted_at < before)
            .group_by(JournalLine.account, JournalLine.currency)
            .order_by(JournalLine.currency, JournalLine.account)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [AccountTotal(a, c, _dec(d), _dec(k)) for a, c, d, k in rows]

    async def export_batch(
        self,
        start: datetime,
        end: datetime,
        after: tuple[datetime, uuid.UUID, uuid.UUID] | None,
        limit: int,
    ) -> list[ExportLine]:
        """Journal lines of entries posted in [start, end), in (posted_at, entry, line) order,
        the ``limit`` after ``after`` (keyset)."""
        stmt = (
            select(
                JournalLine.id,
                JournalEntry.id,
                JournalEntry.posted_at,
                JournalEntry.memo,
                JournalEntry.source_type,
                JournalEntry.source_id,
                JournalEntry.action,
                JournalLine.account,
                Customer.code,
                JournalLine.currency,
                JournalLine.debit,
                JournalLine.credit,
            )
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .outerjoin(Customer, Customer.id == JournalLine.customer_id)
            .where(JournalEntry.posted_at >= start, JournalEntry.posted_at < end)
            .order_by(JournalEntry.posted_at, JournalEntry.id, JournalLine.id)
            .limit(limit)
        )
        if after is not None:
            key = tuple_(JournalEntry.posted_at, JournalEntry.id, JournalLine.id)
            values: list[Any] = list(after)
            stmt = stmt.where(key > tuple_(*values))
        rows = (await self.session.execute(stmt)).tuples().all()
        return [ExportLine(*row) for row in rows]

    def _customer_net(self) -> ColumnElement[Any]:
        return func.sum(JournalLine.debit - JournalLine.credit)

    async def customer_balances(
        self, customer_id: uuid.UUID, accounts: Sequence[str], before: datetime
    ) -> dict[str, Decimal]:
        """Per currency, the customer's net (debits − credits) on ``accounts`` before ``before``."""
        stmt = (
            select(JournalLine.currency, self._customer_net())
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(
                JournalLine.customer_id == customer_id,
                JournalLine.account.in_(accounts),
                JournalEntry.posted_at < before,
            )
            .group_by(JournalLine.currency)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return {c: _dec(x) for c, x in rows}

    async def customer_movements(
        self,
        customer_id: uuid.UUID,
        accounts: Sequence[str],
        start: datetime,
        end: datetime,
        limit: int,
    ) -> list[CustomerMovement]:
        """The entries in [start, end) that changed the customer's net on ``accounts`` (those
        that net to zero, such as an application, are left out), oldest first."""
        net = self._customer_net()
        stmt = (
            select(
                JournalEntry.id,
                JournalEntry.posted_at,
                JournalEntry.memo,
                JournalEntry.source_type,
                JournalEntry.source_id,
                JournalEntry.action,
                JournalLine.currency,
                net,
            )
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(
                JournalLine.customer_id == customer_id,
                JournalLine.account.in_(accounts),
                JournalEntry.posted_at >= start,
                JournalEntry.posted_at < end,
            )
            .group_by(
                JournalEntry.id,
                JournalEntry.posted_at,
                JournalEntry.memo,
                JournalEntry.source_type,
                JournalEntry.source_id,
                JournalEntry.action,
                JournalLine.currency,
            )
            .having(_nonzero(net))
            .order_by(JournalEntry.posted_at, JournalEntry.id, JournalLine.currency)
            .limit(limit)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [
            CustomerMovement(e, at, memo, st, sid, action, currency, _dec(x))
            for e, at, memo, st, sid, action, currency, x in rows
        ]

    async def document_numbers(self, source_type: str, ids: Sequence[uuid.UUID]) -> dict[str, str]:
        """The numbers of the documents journal entries came from (by their id as text)."""
        model: Any = {
            "invoice": Invoice,
            "payment": Payment,
            "credit_note": CreditNote,
            "refund": Refund,
        }.get(source_type)
        if model is None or not ids:
            return {}
        rows = await self.session.execute(select(model.id, model.number).where(model.id.in_(ids)))
        return {str(i): n for i, n in rows.tuples()}

    async def unbalanced_entries(self) -> list[tuple[uuid.UUID, str, Decimal, Decimal]]:
        """(entry, currency, debits, credits) of every entry whose debits differ from its
        credits in a currency."""
        stmt = (
            select(
                JournalLine.entry_id,
                JournalLine.currency,
                func.sum(JournalLine.debit),
                func.sum(JournalLine.credit),
            )
            .group_by(JournalLine.entry_id, JournalLine.currency)
            .having(_nonzero(func.sum(JournalLine.debit) - func.sum(JournalLine.credit)))
            .order_by(JournalLine.entry_id)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [(e, c, _dec(d), _dec(k)) for e, c, d, k in rows]

    async def receivables_in_journal(self) -> dict[tuple[uuid.UUID, str], Decimal]:
        """Each customer's receivable (1122) balance per currency, from the journal."""
        stmt = (
            select(JournalLine.customer_id, JournalLine.currency, self._customer_net())
            .where(JournalLine.account == "1122")
            .group_by(JournalLine.customer_id, JournalLine.currency)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return {(c, cur): _dec(x) for c, cur, x in rows if c is not None}
