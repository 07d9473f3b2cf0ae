"""What the after-sales report reads: its roll-ups over a range, grouped by period and key (a
whole-months range grouped by month reads the month rows, anything else the day rows), the
best keys by a metric, the cases per kind and the cases open now."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.after_sales import PRODUCT_DIMENSIONS
from app.domain.reports.periods import whole_months
from app.repositories.report_after_sales_models import (
    ReportCaseFact,
    ReportCaseHours,
    ReportCases,
    ReportReturnRefunds,
    ReportReturns,
    ReportShippedUnits,
)
from app.repositories.report_queries import ReportQueries, Window, _day


@dataclass(frozen=True)
class ReturnsRow:
    period: date
    key: str
    label: str
    product_key: str
    returns: int
    returned_units: Decimal
    received_units: Decimal


@dataclass(frozen=True)
class RefundRow:
    period: date
    key: str
    label: str
    product_key: str
    currency: str
    value: Decimal


class AfterSalesQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.base = ReportQueries(session)

    def _range(self, table: Any, w: Window) -> tuple[list[ColumnElement[bool]], Any]:
        return self.base._range(table, w)

    async def returns(self, w: Window, keys: Collection[str] | None) -> list[ReturnsRow]:
        t = ReportReturns
        where, period = self._range(t, w)
        if keys is not None:
            where.append(t.key.in_(list(keys)))
        stmt = (
            select(period, t.key, func.max(t.label), t.product_key, func.sum(t.returns),
                   func.sum(t.returned_units), func.sum(t.received_units))
            .where(*where)
            .group_by(period, t.key, t.product_key)
        )  # fmt: skip
        rows = await self.session.execute(stmt)
        return [ReturnsRow(_day(r[0]), r[1], r[2], r[3], int(r[4]), *r[5:]) for r in rows]

    async def refunds(self, w: Window, keys: Collection[str] | None) -> list[RefundRow]:
        t = ReportReturnRefunds
        where, period = self._range(t, w)
        if keys is not None:
            where.append(t.key.in_(list(keys)))
        stmt = (
            select(period, t.key, func.max(t.label), t.product_key, t.currency,
                   func.sum(t.refund_value))
            .where(*where)
            .group_by(period, t.key, t.product_key, t.currency)
        )  # fmt: skip
        return [RefundRow(_day(r[0]), *r[1:]) for r in await self.session.execute(stmt)]

    async def shipped(
        self, w: Window, products: Collection[str] | None
    ) -> list[tuple[date, str, Decimal]]:
        """(period, product key, units): per product of ``products``, or (None) in all ('')."""
        t = ReportShippedUnits
        dimension = "all" if products is None else "product"
        where, period = self._range(t, Window(w.start, w.end, w.grouping, dimension))
        if products is not None:
            where.append(t.key.in_(sorted(products)))
        stmt = select(period, t.key, func.sum(t.units)).where(*where).group_by(period, t.key)
        return [(_day(r[0]), r[1], r[2]) for r in await self.session.execute(stmt)]

    async def best_keys(self, w: Window, metric: str, limit: int) -> list[str]:
        """The ``limit`` best keys of the range by ``metric`` (refund value in each key's own
        currency; a return rate over the key's product's shipped units, or, not by product,
        over all of them — the same for every key, so the returned units rank)."""
        if metric == "refund_value":
            t = ReportReturnRefunds
            where, _p = self._range(t, w)
            stmt = (
                select(t.key).where(*where).group_by(t.key, t.currency)
                .order_by(func.sum(t.refund_value).desc(), t.key).limit(limit)
            )  # fmt: skip
            return list(dict.fromkeys((await self.session.scalars(stmt)).all()))
        r = ReportReturns
        where, _p = self._range(r, w)
        if metric == "return_rate" and w.dimension in PRODUCT_DIMENSIONS:
            return await self._best_rates(w, where, limit)
        measure = func.sum(r.returns if metric == "returns" else r.returned_units)
        stmt = select(r.key).where(*where).group_by(r.key).order_by(measure.desc(), r.key)
        return list((await self.session.scalars(stmt.limit(limit))).all())

    async def _best_rates(self, w: Window, where: list[Any], limit: int) -> list[str]:
        r, s = ReportReturns, ReportShippedUnits
        returned = (
            select(r.key, r.product_key, func.sum(r.returned_units).label("units"))
            .where(*where).group_by(r.key, r.product_key).subquery()
        )  # fmt: skip
        s_where, _p = self._range(s, Window(w.start, w.end, w.grouping, "product"))
        shipped = (
            select(s.key, func.sum(s.units).label("units"))
            .where(*s_where).group_by(s.key).subquery()
        )  # fmt: skip
        ratio = cast(returned.c.units, Float) / func.nullif(cast(shipped.c.units, Float), 0)
        stmt = (
            select(returned.c.key)
            .outerjoin(shipped, shipped.c.key == returned.c.product_key)
            .order_by(func.coalesce(ratio, literal(-1.0)).desc(), returned.c.key)
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())

    def _grain(self, start: date, end: date) -> str:
        return "month" if whole_months(start, end) else "day"

    async def cases(self, start: date, end: date) -> list[tuple[str, int, int]]:
        """(kind, opened, resolved) over the range."""
        t = ReportCases
        stmt = (
            select(t.kind, func.sum(t.opened), func.sum(t.resolved))
            .where(t.grain == self._grain(start, end), t.period >= start, t.period <= end)
            .group_by(t.kind)
        )
        return [(k, int(o), int(r)) for k, o, r in await self.session.execute(stmt)]

    async def case_hours(self, start: date, end: date) -> list[tuple[str, int, int]]:
        """(kind, hours, cases) of the cases resolved in the range: the histograms."""
        t = ReportCaseHours
        stmt = (
            select(t.kind, t.hours, func.sum(t.cases))
            .where(t.grain == self._grain(start, end), t.period >= start, t.period <= end)
            .group_by(t.kind, t.hours)
        )
        return [(k, int(h), int(n)) for k, h, n in await self.session.execute(stmt)]

    async def open_cases(self) -> dict[str, int]:
        """Per kind, the cases open now."""
        f = ReportCaseFact
        stmt = select(f.kind, func.count()).where(f.open).group_by(f.kind)
        return {k: int(n) for k, n in await self.session.execute(stmt)}
