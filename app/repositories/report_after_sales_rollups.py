"""The after-sales roll-ups, summed from their facts: the day rows of the given days (None:
every day) are deleted and summed again, then the months holding those days are summed from
their day rows. Recomputing, never adding, is what makes a replay harmless."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.periods import month_start, next_month
from app.repositories.base import insert_rows
from app.repositories.report_after_sales_models import (
    ReportCaseFact,
    ReportCaseHours,
    ReportCases,
    ReportReturnLineFact,
    ReportReturnRefundFact,
    ReportReturnRefunds,
    ReportReturns,
    ReportShippedFact,
    ReportShippedUnits,
)
from app.repositories.report_rollups import ReportRollups

Days = list[date] | None
# Per roll-up: its key columns besides grain and period, what is carried, what is summed.
SHAPES: dict[Any, tuple[list[str], list[str], list[str]]] = {
    ReportReturns: (
        ["dimension", "key", "product_key"], ["label"],
        ["returns", "returned_units", "received_units"],
    ),
    ReportReturnRefunds: (
        ["dimension", "key", "currency", "product_key"], ["label"], ["refund_value"],
    ),
    ReportShippedUnits: (["dimension", "key"], [], ["units"]),
    ReportCases: (["kind"], [], ["opened", "resolved"]),
    ReportCaseHours: (["kind", "hours"], [], ["cases"]),
}  # fmt: skip


def _text(value: str) -> ColumnElement[str]:
    return literal(value, String)


def dimensions(f: Any) -> dict[str, tuple[Any, Any, Any]]:
    """Each dimension of a return line (or refund share) fact: (key, label, product key)."""
    product = cast(f.product_id, String)
    return {
        "all": (_text(""), _text(""), _text("")),
        "product": (product, f.sku, product),
        "reason": (f.reason, f.reason, _text("")),
        "product_reason": (product + _text(":") + f.reason, f.sku + _text(" / ") + f.reason,
                           product),
    }  # fmt: skip


def _within(column: Any, days: Days) -> Any:
    return literal(True) if days is None else column.in_(days)


class AfterSalesRollups:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def refresh_returns(self, days: Collection[date] | None) -> None:
        await self._refresh(ReportReturns, days, self._returns)

    async def refresh_refunds(self, days: Collection[date] | None) -> None:
        await self._refresh(ReportReturnRefunds, days, self._refunds)

    async def refresh_shipped(self, days: Collection[date] | None) -> None:
        await self._refresh(ReportShippedUnits, days, self._shipped)

    async def refresh_cases(self, days: Collection[date] | None) -> None:
        await self._refresh(ReportCases, days, self._cases)
        await self._refresh(ReportCaseHours, days, self._case_hours)

    async def _refresh(
        self, table: Any, days: Collection[date] | None, sum_days: Callable[[Days], Awaitable[None]]
    ) -> None:
        day_list = None if days is None else sorted(days)
        if day_list == []:
            return
        stmt = delete(table).where(table.grain == "day", _within(table.period, day_list))
        await self.session.execute(stmt)
        await sum_days(day_list)
        if day_list is None:
            await self.session.execute(delete(table).where(table.grain == "month"))
            await self._sum_months(table, None, None)
            return
        for start in sorted({month_start(d) for d in day_list}):
            end = next_month(start)
            await self.session.execute(
                delete(table).where(
                    table.grain == "month", table.period >= start, table.period < end
                )
            )
            await self._sum_months(table, start, end)

    async def _returns(self, days: Days) -> None:
        f = ReportReturnLineFact
        cols = ["grain", "dimension", "period", "key", "label", "product_key", "returns",
                "returned_units", "received_units"]  # fmt: skip
        for name, (key, label, product) in dimensions(f).items():
            stmt = (
                select(
                    _text("day"), _text(name), f.day, key, func.max(label), product,
                    func.count(func.distinct(f.return_id)), func.sum(f.returned_units),
                    func.sum(f.received_units),
                )
                .where(f.counted, _within(f.day, days))
                .group_by(f.day, key, product)
            )  # fmt: skip
            await self.session.execute(insert(ReportReturns).from_select(cols, stmt))

    async def _refunds(self, days: Days) -> None:
        f = ReportReturnRefundFact
        cols = ["grain", "dimension", "period", "key", "currency", "label", "product_key",
                "refund_value"]  # fmt: skip
        for name, (key, label, product) in dimensions(f).items():
            stmt = (
                select(
                    _text("day"), _text(name), f.day, key, f.currency, func.max(label), product,
                    func.sum(f.amount),
                )
                .where(_within(f.day, days))
                .group_by(f.day, key, f.currency, product)
            )  # fmt: skip
            await self.session.execute(insert(ReportReturnRefunds).from_select(cols, stmt))

    async def _shipped(self, days: Days) -> None:
        f = ReportShippedFact
        cols = ["grain", "dimension", "period", "key", "units"]
        product = cast(f.product_id, String)
        for name, key in (("all", _text("")), ("product", product)):
            stmt = (
                select(_text("day"), _text(name), f.day, key, func.sum(f.quantity))
                .where(_within(f.day, days))
                .group_by(f.day, key)
            )
            await self.session.execute(insert(ReportShippedUnits).from_select(cols, stmt))

    async def _cases(self, days: Days) -> None:
        """Opened by the opening day, resolved by the resolution day, merged per (day, kind)."""
        f = ReportCaseFact
        opened = await self.session.execute(
            select(f.opened_day, f.kind, func.count())
            .where(_within(f.opened_day, days))
            .group_by(f.opened_day, f.kind)
        )
        resolved = await self.session.execute(
            select(f.resolved_day, f.kind, func.count())
            .where(f.resolved_day.is_not(None), _within(f.resolved_day, days))
            .group_by(f.resolved_day, f.kind)
        )
        counts: dict[tuple[date, str], Counter[str]] = {}
        for measure, rows in (("opened", opened), ("resolved", resolved)):
            for day, kind, n in rows:
                counts.setdefault((day, kind), Counter())[measure] += int(n)
        rows_out = [
            {"grain": "day", "period": day, "kind": kind, "opened": c["opened"],
             "resolved": c["resolved"]}
            for (day, kind), c in counts.items()
        ]  # fmt: skip
        if rows_out:
            await insert_rows(self.session, ReportCases, rows_out)

    async def _case_hours(self, days: Days) -> None:
        f = ReportCaseFact
        stmt = (
            select(_text("day"), f.resolved_day, f.kind, f.hours, func.count())
            .where(f.hours.is_not(None), f.resolved_day.is_not(None),
                   _within(f.resolved_day, days))
            .group_by(f.resolved_day, f.kind, f.hours)
        )  # fmt: skip
        cols = ["grain", "period", "kind", "hours", "cases"]
        await self.session.execute(insert(ReportCaseHours).from_select(cols, stmt))

    async def _sum_months(self, table: Any, start: date | None, end: date | None) -> None:
        keys, maxes, sums = SHAPES[table]
        month = ReportRollups(self.session).month_of(table.period)
        group = [month, *(getattr(table, k) for k in keys)]
        stmt = select(
            _text("month"),
            *group,
            *(func.max(getattr(table, m)) for m in maxes),
            *(func.sum(getattr(table, s)) for s in sums),
        ).where(table.grain == "day")
        if start is not None and end is not None:
            stmt = stmt.where(table.period >= start, table.period < end)
        cols = ["grain", "period", *keys, *maxes, *sums]
        await self.session.execute(insert(table).from_select(cols, stmt.group_by(*group)))
