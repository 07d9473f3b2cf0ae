"""``lading check`` on the reports: a sample of order facts derived again from the transaction
tables against the stored ones, and a sample of days' sales against the orders table. Only
when the projector has read the whole stream and nothing waits to be routed (otherwise the
summaries are rightly behind and a difference means nothing)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.facts import NOT_COUNTED
from app.repositories.events import OutboxEvent
from app.repositories.orders import Order
from app.repositories.report_facts import ReportFactWriter
from app.repositories.report_maintenance import PROJECTOR
from app.repositories.report_models import ReportOrderFact, ReportProgress, ReportSales
from app.repositories.report_registry import SUMMARIES
from app.repositories.report_summaries import Mismatch

FACT_COLUMNS = [c.key for c in ReportOrderFact.__table__.columns]


class ReportCheck:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def caught_up(self) -> bool:
        position = await self.session.scalar(
            select(ReportProgress.position).where(ReportProgress.name == PROJECTOR)
        )
        if position is None:
            return False
        waiting = await self.session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where((OutboxEvent.status == "pending") | (OutboxEvent.position > position))
        )
        return not waiting

    async def fact_mismatches(self, sample: int) -> list[uuid.UUID]:
        """Orders of a sample (spread over the id space) whose stored fact differs from the
        one derived now, or that have none."""
        start = uuid.uuid4()
        ids = await self._ids(Order.id >= start, sample)
        ids += await self._ids(Order.id < start, sample - len(ids))  # wrapped round
        if not ids:
            return []
        derived, _lines = await ReportFactWriter(self.session).derive(ids)
        stored = {
            row.order_id: {k: getattr(row, k) for k in FACT_COLUMNS}
            for row in await self.session.scalars(
                select(ReportOrderFact).where(ReportOrderFact.order_id.in_(ids))
            )
        }
        return [
            fact["order_id"]
            for fact in derived
            if _plain(stored.get(fact["order_id"])) != _plain(fact)
        ]

    async def _ids(self, where: Any, limit: int) -> list[uuid.UUID]:
        if limit <= 0:
            return []
        stmt = select(Order.id).where(where).order_by(Order.id).limit(limit)
        return list((await self.session.scalars(stmt)).all())

    async def summary_mismatches(self, sample: int) -> list[tuple[str, Mismatch]]:
        """Each registered summary's records of a sample that differ from their rows."""
        return [
            (summary.name, m)
            for summary in SUMMARIES
            for m in await summary.mismatches(self.session, sample)
        ]

    async def day_mismatches(self, sample: int) -> list[tuple[date, Decimal, Decimal]]:
        """Of the latest ``sample`` days with sales: (day, summary net, orders table net) where
        the two differ, per currency summed (one currency per order)."""
        s = ReportSales
        rows = await self.session.execute(
            select(s.period, s.currency, func.sum(s.net), func.sum(s.orders))
            .where(s.dimension == "all")
            .group_by(s.period, s.currency)
            .order_by(s.period.desc())
            .limit(sample)
        )
        out = []
        for period, currency, net, orders in rows:
            real_net, real_orders = await self._orders_of(_as_date(period), currency)
            if (real_net, real_orders) != (_money(net), int(orders)):
                out.append((_as_date(period), _money(net), real_net))
        return out

    async def _orders_of(self, day: date, currency: str) -> tuple[Decimal, int]:
        o = Order
        when = func.coalesce(o.submitted_at, o.created_at)
        on: Any
        if self.session.bind.dialect.name == "postgresql":
            on = cast(func.timezone("UTC", when), Date)
        else:
            on = func.date(when)
        row = (
            await self.session.execute(
                select(func.coalesce(func.sum(o.net_total), 0), func.count()).where(
                    on == day, o.currency == currency, o.status.not_in(list(NOT_COUNTED))
                )
            )
        ).one()
        return _money(row[0]), int(row[1])


def _money(value: Any) -> Decimal:
    """A sum read back at the money scale (SQLite sums NUMERIC as floating point)."""
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _plain(fact: dict[str, Any] | None) -> dict[str, str] | None:
    if fact is None:
        return None
    return {k: str(v.normalize() if isinstance(v, Decimal) else v) for k, v in fact.items()}
