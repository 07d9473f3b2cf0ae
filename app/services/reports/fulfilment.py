"""The fulfilment report: per period and key (all, warehouse, carrier — the first shipment's),
lead times order → approval → allocation → shipment → delivery (p50 and p90 in hours), OTIF,
on-time and in-full rates, line fill rate at the first allocation; and the backlog of approved,
unshipped orders (reserved, or waiting for stock: backorders) by age, as it stands now."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.reports.facts import STAGES
from app.domain.reports.params import ReportParams
from app.domain.reports.stats import AGE_BUCKETS, age_bucket, percentile, rate
from app.repositories.report_queries import FULFILMENT_SUMS
from app.services.reports.common import shown_key, window
from app.services.unit_of_work import UnitOfWork

Histogram = dict[int, int]


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FULFILMENT_SUMS, 0))
    lead: dict[str, Histogram] = field(default_factory=lambda: {s: {} for s in STAGES})

    def add(self, other: Counts) -> None:
        for name, value in other.values.items():
            self.values[name] += value
        for stage, histogram in other.lead.items():
            for hours, n in histogram.items():
                self.lead[stage][hours] = self.lead[stage].get(hours, 0) + n

    def p(self, stage: str, q: float) -> int | None:
        return percentile(self.lead[stage], q)

    def rates(self) -> dict[str, Decimal | None]:
        """OTIF and on time of the delivered orders with a promised date; the lines filled
        at the first allocation of the lines allocated."""
        v = self.values
        return {
            "otif_rate": rate(v["otif"], v["promised_delivered"]),
            "on_time_rate": rate(v["on_time"], v["promised_delivered"]),
            "fill_rate": rate(v["lines_filled"], v["lines_allocated"]),
        }

    def metric(self, name: str) -> Decimal:
        if name == "orders":
            return Decimal(self.values["orders"])
        return self.rates()[name] or Decimal(0)


@dataclass(frozen=True)
class FulfilmentPoint:
    period: date | None  # None: the key's total over the range
    key: str
    label: str
    counts: Counts


@dataclass(frozen=True)
class BacklogRow:
    age: str
    reserved: int  # approved and reserved, not shipped
    waiting: int  # approved, waiting for stock (backordered)


@dataclass(frozen=True)
class FulfilmentReport:
    params: ReportParams
    as_of: datetime | None
    series: list[FulfilmentPoint]
    totals: list[FulfilmentPoint]
    backlog: list[BacklogRow]


async def fulfilment_report(uow: UnitOfWork, params: ReportParams) -> FulfilmentReport:
    async with uow:
        w = window(params)
        rows = await uow.reports.fulfilment(w)
        leads = await uow.reports.lead_times(w)
        waiting = await uow.reports.backlog()
        as_of = await uow.reports.as_of()
    points: dict[tuple[date, str], FulfilmentPoint] = {}
    for period, key, label, *sums in rows:
        counts = Counts(dict(zip(FULFILMENT_SUMS, (int(x or 0) for x in sums), strict=True)))
        points[(period, key)] = FulfilmentPoint(period, shown_key(w.dimension, key), label, counts)
    for period, key, stage, hours, n in leads:
        point = points.get((period, key))
        if point is not None:
            point.counts.lead[stage][hours] = int(n)
    series = sorted(points.values(), key=lambda p: (p.period or date.min, p.label, p.key))
    totals = _totals(series, params)
    return FulfilmentReport(params, as_of, series, totals, _backlog(waiting))


def _totals(series: list[FulfilmentPoint], params: ReportParams) -> list[FulfilmentPoint]:
    totals: dict[str, FulfilmentPoint] = {}
    for p in series:
        total = totals.setdefault(p.key, FulfilmentPoint(None, p.key, p.label, Counts()))
        total.counts.add(p.counts)
    ranked = sorted(totals.values(), key=lambda t: (-t.counts.metric(params.metric), t.label))
    return ranked[: params.top] if params.top else ranked


def _backlog(rows: list[tuple[date, int, int]]) -> list[BacklogRow]:
    today = datetime.now(UTC).date()
    counts: dict[str, dict[int, int]] = defaultdict(lambda: {1: 0, 2: 0})
    for day, kind, n in rows:
        counts[age_bucket((today - day).days)][kind] += int(n)
    return [BacklogRow(label, counts[label][1], counts[label][2]) for label, *_ in AGE_BUCKETS]
