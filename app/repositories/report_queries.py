"""What the reports read: the roll-ups over a range, grouped by period and key. Grouped by
month, the whole months inside the range come from the month roll-ups and the part-months at
its edges from the day ones (``spans``); any other grouping reads the day roll-ups."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Subquery,
    and_,
    cast,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.exchange_rates import ExchangeRate
from app.domain.reports.periods import Grouping, spans, whole_months
from app.repositories.exchange_rates import ExchangeRateRecord
from app.repositories.report_maintenance import PROJECTOR
from app.repositories.report_models import (
    ReportFulfilment,
    ReportFulfilmentMonth,
    ReportLeadTime,
    ReportLeadTimeMonth,
    ReportOrderFact,
    ReportProgress,
    ReportSales,
    ReportSalesMonth,
)

SALES = (ReportSales, ReportSalesMonth)
FULFILMENT = (ReportFulfilment, ReportFulfilmentMonth)
LEAD_TIMES = (ReportLeadTime, ReportLeadTimeMonth)
FULFILMENT_SUMS = (
    "orders", "shipped", "in_full", "promised_delivered", "on_time", "otif", "allocated",
    "lines_allocated", "lines_filled",
)  # fmt: skip


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    grouping: Grouping
    dimension: str


@dataclass(frozen=True)
class SalesRow:
    period: date
    key: str
    label: str
    currency: str
    orders: int
    units: Decimal
    net: Decimal


class ReportQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def as_of(self) -> datetime | None:
        value: datetime | None = await self.session.scalar(
            select(ReportProgress.as_of).where(ReportProgress.name == PROJECTOR)
        )
        return value

    def _bucket(self, column: Any, grouping: Grouping) -> ColumnElement[Any]:
        postgres = self.session.bind.dialect.name == "postgresql"
        if grouping is Grouping.DAY:
            return column  # type: ignore[no-any-return]
        if postgres:
            return cast(func.date_trunc(grouping.value, column), Date)
        if grouping is Grouping.MONTH:
            return func.date(column, "start of month")
        # The Monday of the week: back (weekday + 6) % 7 days, %w counting from Sunday = 0.
        return literal_column(
            "date(period, '-' || ((CAST(strftime('%w', period) AS INTEGER) + 6) % 7) || ' days')"
        )

    def _source(
        self, tables: tuple[Any, Any], w: Window, names: Sequence[str], keys: Any = None
    ) -> Subquery:
        """The rows of the range from the (day, month) roll-ups ``tables``: ``period`` (the
        first day of its bucket) and the columns ``names``; only ``keys`` when given."""
        day, month = tables
        parts = []
        for kind, start, end in spans(w.start, w.end, w.grouping):
            t = month if kind == "month" else day
            period = t.period if kind == "month" else self._bucket(t.period, w.grouping)
            where = [t.dimension == w.dimension, t.period >= start, t.period <= end]
            if keys is not None:
                where.append(t.key.in_(list(keys)))
            columns = (getattr(t, n) for n in names)
            parts.append(select(period.label("period"), *columns).where(*where))
        return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()

    def _range(self, table: Any, w: Window) -> tuple[list[ColumnElement[bool]], Any]:
        """For a roll-up keeping days and months in one table (a ``grain`` column: the
        after-sales and receivables ones): the filter and period expression of ``w`` — its
        month rows when the range is whole months grouped by month, else its day rows."""
        month = w.grouping is Grouping.MONTH and whole_months(w.start, w.end) is not None
        where = [
            table.grain == ("month" if month else "day"),
            table.dimension == w.dimension,
            table.period >= w.start,
            table.period <= w.end,
        ]
        return where, table.period if month else self._bucket(table.period, w.grouping)

    async def sales_keys(self, w: Window, metric: str, limit: int) -> list[str]:
        """The ``limit`` best keys of the range by ``metric`` (in each key's own currency)."""
        t = self._source(SALES, w, ("key", "currency", "orders", "units", "net"))
        measure = {
            "net": func.sum(t.c.net),
            "orders": func.sum(t.c.orders),
            "units": func.sum(t.c.units),
            "average_order_value": func.sum(t.c.net) / func.nullif(func.sum(t.c.orders), 0),
        }[metric]
        stmt = (
            select(t.c.key)
            .group_by(t.c.key, t.c.currency)
            .order_by(func.coalesce(measure, 0).desc(), t.c.key)
            .limit(limit)
        )
        return list(dict.fromkeys((await self.session.scalars(stmt)).all()))

    async def sales(self, w: Window, keys: Collection[str] | None = None) -> list[SalesRow]:
        """Per period, key and currency; only ``keys`` when given."""
        names = ("key", "label", "currency", "orders", "units", "net")
        t = self._source(SALES, w, names, keys)
        stmt = select(
            t.c.period, t.c.key, func.max(t.c.label), t.c.currency,
            func.sum(t.c.orders), func.sum(t.c.units), func.sum(t.c.net),
        ).group_by(t.c.period, t.c.key, t.c.currency)  # fmt: skip
        return [SalesRow(_day(r[0]), *r[1:]) for r in await self.session.execute(stmt)]

    async def fulfilment(self, w: Window) -> list[tuple[Any, ...]]:
        """(period, key, label, *sums in FULFILMENT_SUMS order)."""
        t = self._source(FULFILMENT, w, ("key", "label", *FULFILMENT_SUMS))
        sums = [func.sum(t.c[name]) for name in FULFILMENT_SUMS]
        stmt = select(t.c.period, t.c.key, func.max(t.c.label), *sums).group_by(t.c.period, t.c.key)
        return [(_day(r[0]), *r[1:]) for r in await self.session.execute(stmt)]

    async def lead_times(self, w: Window) -> list[tuple[date, str, str, int, int]]:
        """(period, key, stage, hours, orders): the histograms of each stage."""
        t = self._source(LEAD_TIMES, w, ("key", "stage", "hours", "orders"))
        stmt = select(t.c.period, t.c.key, t.c.stage, t.c.hours, func.sum(t.c.orders)).group_by(
            t.c.period, t.c.key, t.c.stage, t.c.hours
        )
        return [(_day(r[0]), r[1], r[2], r[3], r[4]) for r in await self.session.execute(stmt)]

    async def backlog(self) -> list[tuple[date, int, int]]:
        """(order day, backlog kind, orders) of the orders waiting now."""
        f = ReportOrderFact
        stmt = (
            select(f.day, f.backlog, func.count())
            .where(f.backlog > 0, f.counted)
            .group_by(f.day, f.backlog)
        )
        return [(_day(r[0]), r[1], r[2]) for r in await self.session.execute(stmt)]

    async def rates(
        self, currencies: Collection[str], target: str, end: date
    ) -> list[ExchangeRate]:
        """Every rate between ``target`` and ``currencies`` valid by ``end`` (either way)."""
        r = ExchangeRateRecord
        wanted = sorted(set(currencies) - {target})
        if not wanted:
            return []
        pairs = or_(
            and_(r.base_currency.in_(wanted), r.quote_currency == target),
            and_(r.base_currency == target, r.quote_currency.in_(wanted)),
        )
        rows = await self.session.scalars(select(r).where(pairs, r.valid_from <= end))
        return [ExchangeRate(x.base_currency, x.quote_currency, x.rate, x.valid_from) for x in rows]


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
