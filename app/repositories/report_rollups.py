"""Roll-ups summed from the facts: the rows of given days (or of every day) are deleted and
summed again, then the months holding those days are summed from their days into the month
tables. Recomputing a
day from its facts, never adding to a total, is what makes replaying an event harmless."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.facts import STAGES
from app.domain.reports.periods import month_start, next_month
from app.repositories.report_models import (
    ReportFulfilment,
    ReportFulfilmentMonth,
    ReportLeadTime,
    ReportLeadTimeMonth,
    ReportLineFact,
    ReportOrderFact,
    ReportSales,
    ReportSalesMonth,
)

F = ReportOrderFact
DAYS = (ReportSales, ReportFulfilment, ReportLeadTime)
MONTHS = (ReportSalesMonth, ReportFulfilmentMonth, ReportLeadTimeMonth)
ROLLUPS = (*DAYS, *MONTHS)


def _text(value: str) -> ColumnElement[str]:
    return literal(value, String)


def order_dimensions() -> dict[str, tuple[Any, Any]]:
    """Each sales dimension of an order fact: (key, label)."""
    return {
        "all": (_text(""), _text("")),
        "customer": (cast(F.customer_id, String), F.customer_name),
        "customer_group": (F.customer_group, F.customer_group),
        "channel": (F.channel, F.channel),
        "province": (F.province, F.province),
        "city": (F.city, F.city),
        "entered_by": (F.entered_by, F.entered_by),
    }


def fulfilment_dimensions() -> dict[str, tuple[Any, Any]]:
    return {
        "all": (_text(""), _text("")),
        "warehouse": (F.warehouse_key, F.warehouse_label),
        "carrier": (F.carrier_key, F.carrier_label),
    }


def _count(condition: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class ReportRollups:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def refresh(self, days: Collection[date] | None) -> None:
        """Sum the roll-ups of ``days`` (None: every day) again, and their months."""
        day_list = None if days is None else sorted(days)
        if day_list == []:
            return
        for table in DAYS:
            stmt = delete(table)
            if day_list is not None:
                stmt = stmt.where(table.period.in_(day_list))
            await self.session.execute(stmt)
        await self._sales(day_list)
        await self._fulfilment(day_list)
        await self._lead_times(day_list)
        await self._months(day_list)

    def _where(self, day_column: Any, days: list[date] | None) -> Any:
        if days is None:
            return literal(True)
        return day_column.in_(days)

    async def _sales(self, days: list[date] | None) -> None:
        cols = ["dimension", "period", "key", "currency", "label", "orders", "units"]
        for name, (key, label) in order_dimensions().items():
            stmt = (
                select(
                    _text(name), F.day, key, F.currency, func.max(label),
                    func.count(), func.sum(F.units), func.sum(F.net),
                )
                .where(F.counted, self._where(F.day, days))
                .group_by(F.day, key, F.currency)
            )  # fmt: skip
            await self.session.execute(insert(ReportSales).from_select([*cols, "net"], stmt))
        L = ReportLineFact
        key = cast(L.product_id, String)
        stmt = (
            select(
                _text("product"), L.day, key, L.currency, func.max(L.sku),
                func.count(func.distinct(L.order_id)), func.sum(L.units), func.sum(L.net),
            )
            .where(L.counted, self._where(L.day, days))
            .group_by(L.day, key, L.currency)
        )  # fmt: skip
        await self.session.execute(insert(ReportSales).from_select([*cols, "net"], stmt))

    async def _fulfilment(self, days: list[date] | None) -> None:
        allocated = F.lines_filled_first.is_not(None)
        measures = {
            "orders": func.count(),
            "shipped": _count(F.shipped),
            "in_full": _count(F.in_full),
            "promised_delivered": _count(F.promised_delivered),
            "on_time": _count(F.on_time),
            "otif": _count(and_(F.in_full, F.on_time)),
            "allocated": _count(allocated),
            "lines_allocated": func.coalesce(func.sum(case((allocated, F.lines), else_=0)), 0),
            "lines_filled": func.coalesce(func.sum(F.lines_filled_first), 0),
        }
        for name, (key, label) in fulfilment_dimensions().items():
            stmt = (
                select(
                    _text(name), F.day, key, func.max(label), *measures.values()
                )
                .where(F.counted, self._where(F.day, days))
                .group_by(F.day, key)
            )  # fmt: skip
            cols = ["dimension", "period", "key", "label", *measures]
            await self.session.execute(insert(ReportFulfilment).from_select(cols, stmt))

    async def _lead_times(self, days: list[date] | None) -> None:
        cols = ["dimension", "period", "key", "stage", "hours", "orders"]
        for stage in STAGES:
            hours = getattr(F, f"h_{stage}")
            for name, (key, _label) in fulfilment_dimensions().items():
                stmt = (
                    select(
                        _text(name), F.day, key, _text(stage), hours, func.count()
                    )
                    .where(F.counted, hours.is_not(None), self._where(F.day, days))
                    .group_by(F.day, key, hours)
                )  # fmt: skip
                await self.session.execute(insert(ReportLeadTime).from_select(cols, stmt))

    async def _months(self, days: list[date] | None) -> None:
        """The month rows of the months holding ``days`` (None: all), summed from their days."""
        if days is None:
            for table in MONTHS:
                await self.session.execute(delete(table))
            await self._sum_months(None, None)
            return
        for start in sorted({month_start(d) for d in days}):
            end = next_month(start)
            for table in MONTHS:
                await self.session.execute(
                    delete(table).where(table.period >= start, table.period < end)
                )
            await self._sum_months(start, end)

    async def _sum_months(self, start: date | None, end: date | None) -> None:
        for (table, keys, sums, maxes), target in zip(_month_shapes(), MONTHS, strict=True):
            month = self.month_of(table.period)
            group = [table.dimension, month, *(getattr(table, k) for k in keys)]
            stmt = select(
                *group,
                *(func.max(getattr(table, m)) for m in maxes),
                *(func.sum(getattr(table, s)) for s in sums),
            )
            if start is not None and end is not None:
                stmt = stmt.where(table.period >= start, table.period < end)
            cols = ["dimension", "period", *keys, *maxes, *sums]
            await self.session.execute(insert(target).from_select(cols, stmt.group_by(*group)))

    def month_of(self, column: Any) -> ColumnElement[Any]:
        """The first day of the month of a date column, on either engine."""
        if self.session.bind.dialect.name == "postgresql":
            return cast(func.date_trunc("month", column), Date)
        return func.date(column, "start of month")


def _month_shapes() -> list[tuple[Any, list[str], list[str], list[str]]]:
    """Per roll-up: the key columns besides dimension and period, what is summed, what is
    carried (the label)."""
    fulfilment_sums = [
        "orders", "shipped", "in_full", "promised_delivered", "on_time", "otif", "allocated",
        "lines_allocated", "lines_filled",
    ]  # fmt: skip
    return [
        (ReportSales, ["key", "currency"], ["orders", "units", "net"], ["label"]),
        (ReportFulfilment, ["key"], fulfilment_sums, ["label"]),
        (ReportLeadTime, ["key", "stage", "hours"], ["orders"], []),
    ]
