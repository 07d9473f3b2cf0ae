"""The sales report: net sales, orders, units and average order value per period and key,
the keys' totals with the change over the period before, and the grand total."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from app.domain.reports.params import ReportParams
from app.domain.reports.periods import previous_range
from app.domain.reports.stats import change, ratio
from app.repositories.report_queries import SalesRow
from app.services.reports.common import Converter, shown_key, window
from app.services.unit_of_work import UnitOfWork

ZERO = Decimal(0)
DEFAULT_TOP = 50


@dataclass
class Figures:
    orders: int = 0
    units: Decimal = ZERO
    net: Decimal = ZERO

    def add(self, orders: int, units: Decimal, net: Decimal) -> None:
        self.orders += orders
        self.units += units
        self.net += net

    @property
    def average_order_value(self) -> Decimal | None:
        return ratio(self.net, self.orders)

    def metric(self, name: str) -> Decimal:
        if name == "average_order_value":
            return self.average_order_value or ZERO
        return Decimal(getattr(self, name))


@dataclass(frozen=True)
class SalesPoint:
    period: date
    key: str
    label: str
    currency: str
    figures: Figures


@dataclass
class SalesTotal:
    key: str
    label: str
    currency: str
    figures: Figures = field(default_factory=Figures)
    previous: Figures = field(default_factory=Figures)

    @property
    def change(self) -> Decimal | None:
        return change(self.figures.net, self.previous.net)


@dataclass(frozen=True)
class SalesReport:
    params: ReportParams
    as_of: datetime | None
    series: list[SalesPoint]
    totals: list[SalesTotal]  # per key, best first by the metric, at most ``top``
    total: list[SalesTotal]  # per currency (one in the reporting currency)


async def sales_report(uow: UnitOfWork, params: ReportParams) -> SalesReport:
    """The best ``top`` keys (default 50) are chosen in the database by the metric in each
    key's own currency; their series and totals are then converted."""
    top = params.top or DEFAULT_TOP
    before = previous_range(params.start, params.end)
    everything = replace(params, dimension="all")
    async with uow:
        keys = None
        if params.dimension != "all":
            keys = await uow.reports.sales_keys(window(params), params.metric, top)
        rows = await uow.reports.sales(window(params), keys)
        earlier = await uow.reports.sales(window(params, *before), keys)
        grand_rows = await uow.reports.sales(window(everything))
        grand_earlier = await uow.reports.sales(window(everything, *before))
        convert = Converter(params.currency)
        seen = rows + earlier + grand_rows + grand_earlier
        await convert.load(uow, {r.currency for r in seen}, params.end)
        as_of = await uow.reports.as_of()
    points = _points(rows, params, convert)
    totals = _totals(points, earlier, params, convert)
    ranked = sorted(totals.values(), key=lambda t: (-t.figures.metric(params.metric), t.label))
    kept = ranked[:top]
    chosen = {(t.key, t.currency) for t in kept}
    series = sorted(
        (p for p in points if (p.key, p.currency) in chosen),
        key=lambda p: (p.period, p.currency, p.label, p.key),
    )
    grand = _grand(_points(grand_rows, everything, convert), grand_earlier, convert)
    return SalesReport(params, as_of, series, kept, grand)


def _points(rows: list[SalesRow], params: ReportParams, convert: Converter) -> list[SalesPoint]:
    merged: dict[tuple[date, str, str], SalesPoint] = {}
    for r in rows:
        key = shown_key(params.dimension, r.key)
        currency = convert.currency(r.currency)
        point = merged.setdefault(
            (r.period, key, currency), SalesPoint(r.period, key, r.label, currency, Figures())
        )
        point.figures.add(r.orders, r.units, convert(r.net, r.currency, r.period))
    return list(merged.values())


def _totals(
    points: list[SalesPoint], earlier: list[SalesRow], params: ReportParams, convert: Converter
) -> dict[tuple[str, str], SalesTotal]:
    totals: dict[tuple[str, str], SalesTotal] = {}
    for p in points:
        total = totals.setdefault((p.key, p.currency), SalesTotal(p.key, p.label, p.currency))
        total.figures.add(p.figures.orders, p.figures.units, p.figures.net)
    for r in earlier:
        found = totals.get((shown_key(params.dimension, r.key), convert.currency(r.currency)))
        if found is not None:
            found.previous.add(r.orders, r.units, convert(r.net, r.currency, r.period))
    return totals


def _grand(
    points: list[SalesPoint], earlier: list[SalesRow], convert: Converter
) -> list[SalesTotal]:
    """Per currency: the whole range and the period before (keys gone since included)."""
    grand: dict[str, SalesTotal] = {}
    for p in points:
        total = grand.setdefault(p.currency, SalesTotal("", "", p.currency))
        total.figures.add(p.figures.orders, p.figures.units, p.figures.net)
    for r in earlier:
        currency = convert.currency(r.currency)
        total = grand.setdefault(currency, SalesTotal("", "", currency))
        total.previous.add(r.orders, r.units, convert(r.net, r.currency, r.period))
    return [grand[c] for c in sorted(grand)]
