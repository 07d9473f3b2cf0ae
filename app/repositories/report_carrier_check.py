"""``lading check`` on the carriers roll-ups: the latest days' stored rows (dimension all)
against the same sums taken from the shipment facts now."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.report_carrier_models import ReportCarrier, ReportShipmentFact
from app.repositories.report_carrier_rollups import SUMS, measures
from app.repositories.report_summaries import Mismatch

F = ReportShipmentFact


async def day_mismatches(session: AsyncSession, sample: int) -> list[Mismatch]:
    """Of the latest ``sample`` days with shipments or roll-ups, those whose day roll-ups
    (dimension all, per currency) differ from their facts' sums."""
    t = ReportCarrier
    all_days = (t.dimension == "all",)
    latest = select(t.period).where(*all_days).distinct().order_by(t.period.desc()).limit(sample)
    facts = select(F.day).distinct().order_by(F.day.desc()).limit(sample)
    days = sorted(
        {_date(d) for d in (await session.scalars(latest)).all()}
        | {_date(d) for d in (await session.scalars(facts)).all()},
        reverse=True,
    )[:sample]
    if not days:
        return []
    stored = await session.execute(
        select(t.period, t.currency, *(getattr(t, s) for s in SUMS)).where(
            *all_days, t.period.in_(days)
        )
    )
    summed = await session.execute(
        select(F.day, F.currency, *measures()).where(F.day.in_(days)).group_by(F.day, F.currency)
    )
    have, want = _by_day(stored), _by_day(summed)
    return [
        Mismatch("report_day", day.isoformat(), f"the day's carrier roll-ups {have.get(day)} "
                 f"differ from its shipment facts' {want.get(day)}")
        for day in days
        if have.get(day) != want.get(day)
    ]  # fmt: skip


def _by_day(rows: Any) -> dict[date, dict[str, tuple[str, ...]]]:
    out: dict[date, dict[str, tuple[str, ...]]] = {}
    for day, currency, *sums in rows:
        out.setdefault(_date(day), {})[currency] = tuple(_plain(v) for v in sums)
    return out


def _plain(value: Any) -> str:
    """A count or sum as text at a common scale (SQLite sums NUMERIC as floating point)."""
    return str(Decimal(str(value or 0)).quantize(Decimal("0.0001")).normalize())


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
