"""What the reports read: the roll-ups over a range, grouped by period and key. A whole-months
range grouped by month reads the month rows; anything else reads the day rows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, cast, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.exchange_rates import ExchangeRate
from app.domain.reports.periods import Grouping, whole_months
from app.repositories.exchange_rates import ExchangeRateRecord
from app.repositories.report_maintenance import PROJECTOR
from app.repositories.report_models import (
    ReportFulfilment,
    ReportLeadTime,
    ReportOrderFact,
    ReportProgress,
    ReportSales,
)

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

    def _range(self, table: Any, w: Window) -> tuple[list[ColumnElement[bool]], Any]:
        """The filter on ``table`` and the period expression for ``w``."""
        grain = "month" if w.grouping is Grouping.MONTH and whole_months(w.start, w.end) else "day"
        where = [
            table.grain == grain,
            table.dimension == w.dimension,
            table.period >= w.start,
            table.period <= w.end,
        ]
        period = table.period if grain == "month" else self._bucket(table.period, w.grouping)
        return where, period

    async def sales_keys(self, w: Window, metric: str, limit: int) -> list[str]:
        """The ``limit`` best keys of the range by ``metric`` (in each key's own currency)."""
        t = ReportSales
        where, _period = self._range(t, w)
        measure = {
            "net": func.sum(t.net),
            "orders": func.sum(t.orders),
            "units": func.sum(t.units),
            "average_order_value": func.sum(t.net) / func.nullif(func.sum(t.orders), 0),
        }[metric]
        stmt = (
            select(t.key)
            .where(*where)
            .group_by(t.key, t.currency)
            .order_by(func.coalesce(measure, 0).desc(), t.key)
            .limit(limit)
        )
        return list(dict.fromkeys((await self.session.scalars(stmt)).all()))

    async def sales(self, w: Window, keys: Collection[str] | None = None) -> list[SalesRow]:
        """Per period, key and currency; only ``keys`` when given."""
        t = ReportSales
        where, period = self._range(t, w)
        if keys is not None:
            where.append(t.key.in_(list(keys)))
        stmt = (
            select(
                period, t.key, func.max(t.label), t.currency,
                func.sum(t.orders), func.sum(t.units), func.sum(t.net),
            )
            .where(*where)
            .group_by(period, t.key, t.currency)
        )  # fmt: skip
        return [SalesRow(_day(r[0]), *r[1:]) for r in await self.session.execute(stmt)]

    async def fulfilment(self, w: Window) -> list[tuple[Any, ...]]:
        """(period, key, label, *sums in FULFILMENT_SUMS order)."""
        t = ReportFulfilment
        where, period = self._range(t, w)
        sums = [func.sum(getattr(t, name)) for name in FULFILMENT_SUMS]
        stmt = select(period, t.key, func.max(t.label), *sums).where(*where).group_by(period, t.key)
        return [(_day(r[0]), *r[1:]) for r in await self.session.execute(stmt)]

    async def lead_times(self, w: Window) -> list[tuple[date, str, str, int, int]]:
        """(period, key, stage, hours, orders): the histograms of each stage."""
        t = ReportLeadTime
        where, period = self._range(t, w)
        stmt = (
            select(period, t.key, t.stage, t.hours, func.sum(t.orders))
            .where(*where)
            .group_by(period, t.key, t.stage, t.hours)
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
