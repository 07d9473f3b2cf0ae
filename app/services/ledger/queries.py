"""Reading the books: the trial balance and the journal export for the general ledger."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from app.domain.billing.ledger import ACCOUNT_NAMES, Account
from app.domain.errors import RuleViolation
from app.domain.money import ZERO
from app.repositories.books import ExportLine as ExportLine
from app.services.unit_of_work import UnitOfWork

EXPORT_BATCH = 1000


def day_start(day: date) -> datetime:
    """The first instant of ``day`` (UTC): entries are dated by when they were posted."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC)."""
    return day_start(day + timedelta(days=1))


def account_name(code: str) -> str:
    try:
        return ACCOUNT_NAMES[Account(code)]
    except ValueError:
        return ""


@dataclass(frozen=True)
class TrialBalanceRow:
    account: str
    name: str
    currency: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """Debit balance positive, credit balance negative."""
        return self.debit - self.credit


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    debit: Decimal
    credit: Decimal

    @property
    def balanced(self) -> bool:
        return self.debit == self.credit


@dataclass(frozen=True)
class TrialBalance:
    as_of: date
    rows: list[TrialBalanceRow]
    totals: list[CurrencyTotal]


async def trial_balance(uow: UnitOfWork, as_of: date) -> TrialBalance:
    """Every account's debits, credits and balance per currency, over the entries posted up
    to the end of ``as_of``; the totals per currency (debits equal credits when the books
    balance)."""
    async with uow:
        sums = await uow.books.account_totals(end_of(as_of))
    rows = [
        TrialBalanceRow(s.account, account_name(s.account), s.currency, s.debit, s.credit)
        for s in sums
    ]
    totals: dict[str, tuple[Decimal, Decimal]] = {}
    for r in rows:
        d, c = totals.get(r.currency, (ZERO, ZERO))
        totals[r.currency] = (d + r.debit, c + r.credit)
    return TrialBalance(
        as_of=as_of,
        rows=rows,
        totals=[CurrencyTotal(cur, d, c) for cur, (d, c) in sorted(totals.items())],
    )


def check_period(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise RuleViolation.on("from", "from_after_to", "`from` must not be after `to`.")


async def journal_lines(
    uow: UnitOfWork, start: date | None, end: date | None, batch: int = EXPORT_BATCH
) -> AsyncIterator[ExportLine]:
    """Every journal line of the entries posted from ``start`` to ``end`` (days included;
    None: no bound), in posting order, read ``batch`` lines at a time (keyset) in one read
    transaction, so the export never holds the whole journal."""
    check_period(start, end)
    lo = day_start(start) if start else datetime(1, 1, 2, tzinfo=UTC)
    hi = end_of(end) if end else datetime(9999, 12, 30, tzinfo=UTC)
    after: tuple[datetime, uuid.UUID, uuid.UUID] | None = None
    async with uow:
        while True:
            lines = await uow.books.export_batch(lo, hi, after, batch)
            for line in lines:
                yield line
            if len(lines) < batch:
                return
            last = lines[-1]
            after = (last.posted_at, last.entry_id, last.line_id)
            uow.forget()
