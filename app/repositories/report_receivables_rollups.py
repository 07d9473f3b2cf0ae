"""The receivables roll-ups, summed again from the invoice days: the day rows of the days a batch
touched, the month rows of their months (from the day rows), the balances now of the keys
touched (from the month rows), and what is open per key on the due dates touched (from the
facts). Deleting and summing again, never adding to a total, is what
makes replaying an event harmless."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.periods import month_start, next_month
from app.repositories.report_receivables_facts import Touched
from app.repositories.report_receivables_models import (
    ReportArBalance,
    ReportArInvoice,
    ReportArInvoiceDay,
    ReportArMovement,
    ReportArOpen,
)
from app.repositories.report_rollups import ReportRollups

D, M, F = ReportArInvoiceDay, ReportArMovement, ReportArInvoice
SUMS = ("invoiced", "collected", "credited")


def _text(value: str) -> ColumnElement[str]:
    return literal(value, String)


def dimensions() -> dict[str, tuple[Any, Any]]:
    """Each dimension of an invoice day: (key, label)."""
    return {
        "all": (_text(""), _text("")),
        "customer": (cast(D.customer_id, String), D.customer_name),
        "customer_group": (D.customer_group, D.customer_group),
    }


def fact_dimensions() -> dict[str, tuple[Any, Any]]:
    """Each dimension of an invoice fact: (key, label)."""
    return {
        "all": (_text(""), _text("")),
        "customer": (cast(F.customer_id, String), F.customer_name),
        "customer_group": (F.customer_group, F.customer_group),
    }


def customer_key(session: AsyncSession, customer_id: uuid.UUID) -> str:
    """A customer id as the roll-ups key it (the engine's text form of a UUID)."""
    return str(customer_id) if session.bind.dialect.name == "postgresql" else customer_id.hex


class ReceivablesRollups:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def refresh(self, touched: Touched | None) -> None:
        """Sum again the rows ``touched`` names (None: every row)."""
        if touched is None or touched.days:
            days = None if touched is None else sorted(touched.days)
            await self._days(days)
            await self._months(None if days is None else sorted({month_start(d) for d in days}))
            await self._balances(touched)
        if touched is None or touched.due_dates:
            await self._open(None if touched is None else sorted(touched.due_dates))

    async def _days(self, days: list[date] | None) -> None:
        stmt = delete(M).where(M.grain == "day")
        if days is not None:
            stmt = stmt.where(M.period.in_(days))
        await self.session.execute(stmt)
        cols = ["grain", "dimension", "period", "key", "currency", "label", *SUMS]
        for name, (key, label) in dimensions().items():
            select_days = (
                select(
                    _text("day"), _text(name), D.day, key, D.currency, func.max(label),
                    *(func.sum(getattr(D, s)) for s in SUMS),
                )
                .group_by(D.day, key, D.currency)
            )  # fmt: skip
            if days is not None:
                select_days = select_days.where(D.day.in_(days))
            await self.session.execute(insert(M).from_select(cols, select_days))

    async def _open(self, due_dates: list[date] | None) -> None:
        """What is open per key and due date, for these due dates (None: all)."""
        stmt = delete(ReportArOpen)
        if due_dates is not None:
            stmt = stmt.where(ReportArOpen.due_date.in_(due_dates))
        await self.session.execute(stmt)
        cols = ["dimension", "key", "currency", "due_date", "label", "open_amount"]
        for name, (key, label) in fact_dimensions().items():
            stmt_open = (
                select(_text(name), key, F.currency, F.due_date, func.max(label),
                       func.sum(F.open_amount))
                .where(F.open_amount > 0)
                .group_by(key, F.currency, F.due_date)
            )  # fmt: skip
            if due_dates is not None:
                stmt_open = stmt_open.where(F.due_date.in_(due_dates))
            await self.session.execute(insert(ReportArOpen).from_select(cols, stmt_open))

    async def _months(self, months: list[Any] | None) -> None:
        if months is None:
            await self.session.execute(delete(M).where(M.grain == "month"))
            await self._sum_months(None, None)
            return
        for start in months:
            end = next_month(start)
            await self.session.execute(
                delete(M).where(M.grain == "month", M.period >= start, M.period < end)
            )
            await self._sum_months(start, end)

    async def _sum_months(self, start: Any, end: Any) -> None:
        month = ReportRollups(self.session).month_of(M.period)
        group = [M.dimension, month, M.key, M.currency]
        stmt = select(
            _text("month"), *group, func.max(M.label), *(func.sum(getattr(M, s)) for s in SUMS)
        ).where(M.grain == "day")
        if start is not None:
            stmt = stmt.where(M.period >= start, M.period < end)
        cols = ["grain", "dimension", "period", "key", "currency", "label", *SUMS]
        await self.session.execute(insert(M).from_select(cols, stmt.group_by(*group)))

    async def _balances(self, touched: Touched | None) -> None:
        """Each touched key's balance now, from its month rows."""
        if touched is None:
            await self.session.execute(delete(ReportArBalance))
            await self._sum_balances(None, None)
            return
        keys = {
            "all": {""},
            "customer": {customer_key(self.session, c) for c in touched.customers},
            "customer_group": touched.groups,
        }
        for name, wanted in keys.items():
            if wanted:
                await self.session.execute(
                    delete(ReportArBalance).where(
                        ReportArBalance.dimension == name, ReportArBalance.key.in_(wanted)
                    )
                )
                await self._sum_balances(name, wanted)

    async def _sum_balances(self, dimension: str | None, keys: Collection[str] | None) -> None:
        net = func.sum(M.invoiced - M.collected - M.credited)
        stmt = select(M.dimension, M.key, M.currency, func.max(M.label), net).where(
            M.grain == "month"
        )
        if dimension is not None and keys is not None:
            stmt = stmt.where(M.dimension == dimension, M.key.in_(list(keys)))
        stmt = stmt.group_by(M.dimension, M.key, M.currency)
        cols = ["dimension", "key", "currency", "label", "balance"]
        await self.session.execute(insert(ReportArBalance).from_select(cols, stmt))
