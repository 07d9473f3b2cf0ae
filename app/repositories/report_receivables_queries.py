"""What the receivables report reads: money over a range per period and key (month rows for a
whole-months range grouped by month, else day rows), the keys' balances now and what moved
after a day (month rows, and the day rows of one partial month), what is open now by days past
due (per key and due date), and customers whose exposure exceeds their limit. Every read is
bounded by the keys (and periods, and open due dates) of one dimension, never by the invoices
or orders."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, case, func, literal, select

from app.domain.billing.aging import due_date_bounds
from app.domain.reports.periods import next_month
from app.repositories.report_queries import ReportQueries, Window, _day
from app.repositories.report_receivables_models import (
    ReportArBalance,
    ReportArCredit,
    ReportArMovement,
    ReportArOpen,
)

M, OPEN = ReportArMovement, ReportArOpen
KeyCurrency = tuple[str, str]


@dataclass(frozen=True)
class MoneyRow:
    period: date | None  # None: summed over the range
    key: str
    label: str
    currency: str
    invoiced: Decimal
    collected: Decimal
    credited: Decimal


@dataclass(frozen=True)
class OverLimitRow:
    customer_id: uuid.UUID
    code: str
    name: str
    currency: str
    credit_limit: Decimal
    open_receivables: Decimal
    open_orders: Decimal
    exposure: Decimal


PLACES = Decimal("0.0001")


def _money(value: Any) -> Decimal:
    """A sum read back at the money scale (SQLite sums NUMERIC as floating point)."""
    if isinstance(value, Decimal):
        return value.quantize(PLACES)
    return Decimal(str(value or 0)).quantize(PLACES)


def _sums() -> list[Any]:
    return [func.sum(M.invoiced), func.sum(M.collected), func.sum(M.credited)]


class ReceivablesQueries(ReportQueries):
    async def money(self, w: Window, keys: Collection[str] | None = None) -> list[MoneyRow]:
        """Per period, key and currency; only ``keys`` when given."""
        where, period = self._range(M, w)
        if keys is not None:
            where.append(M.key.in_(list(keys)))
        stmt = (
            select(period, M.key, func.max(M.label), M.currency, *_sums())
            .where(*where)
            .group_by(period, M.key, M.currency)
        )
        return [
            MoneyRow(_day(r[0]), r[1], r[2], r[3], *map(_money, r[4:]))
            for r in await self.session.execute(stmt)
        ]

    async def money_by_key(self, w: Window) -> list[MoneyRow]:
        """Per key and currency, summed over the range."""
        where, _period = self._range(M, w)
        stmt = (
            select(M.key, func.max(M.label), M.currency, *_sums())
            .where(*where)
            .group_by(M.key, M.currency)
        )
        return [
            MoneyRow(None, r[0], r[1], r[2], *map(_money, r[3:]))
            for r in await self.session.execute(stmt)
        ]

    async def balances_now(self, dimension: str) -> dict[KeyCurrency, tuple[str, Decimal]]:
        """(label, balance now) per key and currency."""
        b = ReportArBalance
        rows = await self.session.execute(
            select(b.key, b.currency, b.label, b.balance).where(b.dimension == dimension)
        )
        return {(k, c): (label, _money(v)) for k, c, label, v in rows}

    async def moved_after(self, dimension: str, day: date) -> dict[KeyCurrency, Decimal]:
        """Per key and currency, the net (invoiced − collected − credited) of the days after
        ``day``: whole months from the month rows, the rest of ``day``'s month from its days."""
        month_end = next_month(day)
        net = func.sum(M.invoiced - M.collected - M.credited)
        out: dict[KeyCurrency, Decimal] = {}
        for grain, lower, upper in (
            ("month", month_end, None),
            ("day", day + timedelta(days=1), month_end),
        ):
            stmt = select(M.key, M.currency, net).where(
                M.grain == grain, M.dimension == dimension, M.period >= lower
            )
            if upper is not None:
                stmt = stmt.where(M.period < upper)
            for key, currency, value in await self.session.execute(
                stmt.group_by(M.key, M.currency)
            ):
                out[(key, currency)] = out.get((key, currency), Decimal(0)) + _money(value)
        return out

    async def aging(
        self, dimension: str, today: date, keys: Collection[str] | None = None
    ) -> list[tuple[str, str, str, str, Decimal]]:
        """(key, label, currency, bucket, open amount) of what is open now; only ``keys``
        when given."""
        bucket = case(
            *(
                (and_(*_within(lo, hi)), literal(b.value, String))
                for b, lo, hi in due_date_bounds(today)
            ),
            else_=literal("current", String),
        )
        stmt = select(
            OPEN.key, func.max(OPEN.label), OPEN.currency, bucket, func.sum(OPEN.open_amount)
        ).where(OPEN.dimension == dimension)
        if keys is not None:
            stmt = stmt.where(OPEN.key.in_(list(keys)))
        stmt = stmt.group_by(OPEN.key, OPEN.currency, bucket)
        return [(r[0], r[1], r[2], r[3], _money(r[4])) for r in await self.session.execute(stmt)]

    async def over_limit(self, limit: int) -> list[OverLimitRow]:
        """Customers whose exposure is over their credit limit, the most over first."""
        c = ReportArCredit
        over = c.exposure - c.credit_limit
        stmt = (
            select(
                c.customer_id, c.customer_code, c.customer_name, c.currency, c.credit_limit,
                c.open_receivables, c.open_orders, c.exposure,
            )
            .where(c.exposure > c.credit_limit)
            .order_by(over.desc(), c.customer_name, c.customer_id)
            .limit(limit)
        )  # fmt: skip
        return [
            OverLimitRow(r[0], r[1], r[2], r[3], *map(_money, r[4:]))
            for r in await self.session.execute(stmt)
        ]


def _within(earliest: date | None, latest: date | None) -> list[Any]:
    out = []
    if earliest is not None:
        out.append(OPEN.due_date >= earliest)
    if latest is not None:
        out.append(OPEN.due_date <= latest)
    return out
