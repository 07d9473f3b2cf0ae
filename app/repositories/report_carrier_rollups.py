"""The carriers roll-ups, summed from the shipment facts: the rows of given days (or of every
day) are deleted and summed again, then the months holding those days from their days — never
added to, so replaying an event changes nothing."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, case, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.periods import month_start, next_month
from app.repositories.report_carrier_models import (
    ReportCarrier,
    ReportCarrierMonth,
    ReportShipmentFact,
)
from app.repositories.report_rollups import ReportRollups

F = ReportShipmentFact
SUMS = (
    "shipments", "delivered_with_promise", "on_time", "exceptions", "costed_shipments", "cost",
    "costed_kg",
)  # fmt: skip


def _text(value: str) -> ColumnElement[str]:
    return literal(value, String)


def dimensions() -> dict[str, tuple[Any, Any]]:
    """Each dimension of a shipment fact: (key, label)."""
    return {
        "all": (_text(""), _text("")),
        "carrier": (F.carrier_key, F.carrier_label),
        "service": (F.service_key, F.service_label),
        "warehouse": (F.warehouse_key, F.warehouse_label),
    }


def _count(condition: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def measures() -> list[ColumnElement[Any]]:
    costed = F.cost.is_not(None)
    return [
        func.count(),
        _count(F.delivered_with_promise),
        _count(F.on_time),
        _count(F.exception),
        _count(costed),
        func.coalesce(func.sum(F.cost), 0),
        func.coalesce(func.sum(case((costed, F.weight_kg), else_=0)), 0),
    ]


class CarrierRollups:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def refresh(self, days: Collection[date] | None) -> None:
        """Sum the day rows of ``days`` (None: every day) again, and their months."""
        day_list = None if days is None else sorted(days)
        if day_list == []:
            return
        t = ReportCarrier
        stmt = delete(t)
        if day_list is not None:
            stmt = stmt.where(t.period.in_(day_list))
        await self.session.execute(stmt)
        cols = ["dimension", "period", "key", "currency", "label", *SUMS]
        for name, (key, label) in dimensions().items():
            query = select(_text(name), F.day, key, F.currency, func.max(label), *measures())
            if day_list is not None:
                query = query.where(F.day.in_(day_list))
            query = query.group_by(F.day, key, F.currency)
            await self.session.execute(insert(t).from_select(cols, query))
        await self._months(day_list)

    async def _months(self, days: list[date] | None) -> None:
        t = ReportCarrierMonth
        if days is None:
            await self.session.execute(delete(t))
            await self._sum_months(None, None)
            return
        for start in sorted({month_start(d) for d in days}):
            end = next_month(start)
            await self.session.execute(delete(t).where(t.period >= start, t.period < end))
            await self._sum_months(start, end)

    async def _sum_months(self, start: date | None, end: date | None) -> None:
        t = ReportCarrier
        month = ReportRollups(self.session).month_of(t.period)
        group = [t.dimension, month, t.key, t.currency]
        query = select(
            *group,
            func.max(t.label),
            *(func.sum(getattr(t, s)) for s in SUMS),
        )
        if start is not None and end is not None:
            query = query.where(t.period >= start, t.period < end)
        cols = ["dimension", "period", "key", "currency", "label", *SUMS]
        await self.session.execute(
            insert(ReportCarrierMonth).from_select(cols, query.group_by(*group))
        )
