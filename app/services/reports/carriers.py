"""The carriers report: per period (of the day a shipment left) and key (all, carrier,
carrier and service, warehouse), shipments, on-time rate against the promised date, exception
rate, and cost per shipment and per kg — per cost currency, or in the reporting currency; the
keys' totals best first by the metric, and the grand total."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from app.domain.reports.carriers import Figures, rank_value
from app.domain.reports.params import ReportParams
from app.repositories.report_carrier_queries import CarrierRow
from app.services.reports.common import Converter, window
from app.services.unit_of_work import UnitOfWork

DEFAULT_TOP = 50


@dataclass
class CarrierPoint:
    """``counts``: every shipment of the point; ``costs``: per currency, the shipments that
    had a shipping cost (their count, cost and weight)."""

    period: date | None  # None: over the whole range
    key: str
    label: str
    counts: Figures = field(default_factory=Figures)
    costs: dict[str, Figures] = field(default_factory=dict)

    def add(self, other: CarrierPoint) -> None:
        self.counts.add(other.counts)
        for currency, cost in other.costs.items():
            self.costs.setdefault(currency, Figures()).add(cost)

    def main_cost(self) -> Figures | None:
        """The costs of the currency most of its costed shipments are in (ties: by code)."""
        if not self.costs:
            return None
        currency = min(self.costs, key=lambda c: (-self.costs[c].costed_shipments, c))
        return self.costs[currency]


@dataclass(frozen=True)
class CarrierReport:
    params: ReportParams
    as_of: datetime | None
    series: list[CarrierPoint]
    totals: list[CarrierPoint]  # per key, best first, at most ``top``
    total: CarrierPoint


async def carriers_report(uow: UnitOfWork, params: ReportParams) -> CarrierReport:
    """Every key of the range is read (carriers, services and warehouses are few) and ranked
    here, after conversion into the reporting currency when there is one."""
    everything = replace(params, dimension="all")
    async with uow:
        rows = await uow.report_carriers.carriers(window(params))
        grand_rows = rows
        if params.dimension != "all":
            grand_rows = await uow.report_carriers.carriers(window(everything))
        convert = Converter(params.currency)
        currencies = {r.currency for r in rows + grand_rows if r.currency}
        await convert.load(uow, currencies, params.end)
        as_of = await uow.reports.as_of()
    points = _points(rows, convert)
    totals: dict[str, CarrierPoint] = {}
    for p in points:
        totals.setdefault(p.key, CarrierPoint(None, p.key, p.label)).add(p)
    ranked = sorted(
        totals.values(),
        key=lambda t: (rank_value(params.metric, t.counts, t.main_cost()), t.label, t.key),
    )[: params.top or DEFAULT_TOP]
    kept = {t.key for t in ranked}
    series = sorted(
        (p for p in points if p.key in kept), key=lambda p: (p.period or date.min, p.label, p.key)
    )
    total = CarrierPoint(None, "", "")
    for p in _points(grand_rows, convert):
        total.add(p)
    return CarrierReport(params, as_of, series, ranked, total)


def _points(rows: list[CarrierRow], convert: Converter) -> list[CarrierPoint]:
    merged: dict[tuple[date, str], CarrierPoint] = {}
    for r in rows:
        point = merged.setdefault((r.period, r.key), CarrierPoint(r.period, r.key, r.label))
        point.counts.add(
            Figures(
                shipments=r.shipments,
                delivered_with_promise=r.delivered_with_promise,
                on_time=r.on_time,
                exceptions=r.exceptions,
            )
        )
        if r.currency and r.costed_shipments:
            cost = Figures(
                costed_shipments=r.costed_shipments,
                cost=convert(r.cost, r.currency, r.period),
                costed_kg=r.costed_kg,
            )
            point.costs.setdefault(convert.currency(r.currency), Figures()).add(cost)
    return list(merged.values())
