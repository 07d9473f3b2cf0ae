"""The after-sales report (售后分析): per period and key (all, product, reason, product and
reason) the returns, returned and received units, the units shipped they are a rate of and
the refunds of returns; the keys' totals best first; the grand total; and per case kind the
cases opened and resolved in the range, the hours to resolve (p50, p90) and those open now.

Rules (``app.domain.reports.after_sales``): a return counts in the period of its request day,
a refund in that of its refund date. A key's return rate is over the units shipped of its
product (by ship day) for the product dimensions, over all units shipped otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from app.domain.reports import after_sales as rules
from app.domain.reports.params import ReportParams
from app.domain.reports.stats import percentile
from app.repositories.report_after_sales_queries import RefundRow, ReturnsRow
from app.services.reports.common import Converter, shown_key, window
from app.services.unit_of_work import UnitOfWork

ZERO = Decimal(0)
DEFAULT_TOP = 50


@dataclass
class Figures:
    key: str
    label: str
    product_key: str
    returns: int = 0
    returned_units: Decimal = ZERO
    received_units: Decimal = ZERO
    shipped_units: Decimal = ZERO
    refunds: dict[str, Decimal] = field(default_factory=dict)  # per currency

    @property
    def return_rate(self) -> Decimal | None:
        return rules.return_rate(self.returned_units, self.shipped_units)

    def add(self, other: Figures) -> None:
        self.returns += other.returns
        self.returned_units += other.returned_units
        self.received_units += other.received_units
        for currency, amount in other.refunds.items():
            self.refunds[currency] = self.refunds.get(currency, ZERO) + amount

    def metric(self, name: str) -> Decimal:
        if name == "return_rate":
            return self.return_rate if self.return_rate is not None else Decimal(-1)
        if name == "refund_value":
            return sum(self.refunds.values(), ZERO)
        return Decimal(getattr(self, name))


@dataclass(frozen=True)
class Point:
    period: date
    figures: Figures


@dataclass(frozen=True)
class CaseKind:
    kind: str
    opened: int
    resolved: int
    p50_hours: int | None
    p90_hours: int | None
    open_now: int


@dataclass(frozen=True)
class AfterSalesReport:
    params: ReportParams
    as_of: datetime | None
    series: list[Point]
    totals: list[Figures]  # per key, best first by the metric, at most ``top``
    total: Figures
    cases: list[CaseKind]


async def after_sales_report(uow: UnitOfWork, params: ReportParams) -> AfterSalesReport:
    """The best ``top`` keys (default 50) are chosen in the database by the metric (refund
    value in each key's own currency); their series and totals are then converted."""
    top = params.top or DEFAULT_TOP
    everything = replace(params, dimension="all")
    async with uow:
        q = uow.report_after_sales
        w = window(params)
        keys = None if params.dimension == "all" else await q.best_keys(w, params.metric, top)
        returns, refunds = await q.returns(w, keys), await q.refunds(w, keys)
        by_product = params.dimension in rules.PRODUCT_DIMENSIONS
        products = _products(returns, refunds) if by_product else None
        shipped = await q.shipped(w, products)
        all_w = window(everything)
        grand_returns, grand_refunds = await q.returns(all_w, None), await q.refunds(all_w, None)
        grand_shipped = await q.shipped(all_w, None)
        convert = Converter(params.currency)
        seen = {r.currency for r in [*refunds, *grand_refunds]}
        await convert.load(uow, seen, params.end)
        cases = await _cases(uow, params)
        as_of = await uow.reports.as_of()
    points = _points(returns, refunds, shipped, params, convert)
    totals = _totals(points, shipped, params)
    ranked = sorted(totals, key=lambda t: (-t.metric(params.metric), t.label, t.key))[:top]
    chosen = {t.key for t in ranked}
    series = sorted(
        (p for p in points if p.figures.key in chosen),
        key=lambda p: (p.period, p.figures.label, p.figures.key),
    )
    grand = _totals(_points(grand_returns, grand_refunds, grand_shipped, everything, convert),
                    grand_shipped, everything)  # fmt: skip
    total = grand[0] if grand else Figures("", "", "", shipped_units=_sum(grand_shipped))
    return AfterSalesReport(params, as_of, series, ranked, total, cases)


def _key(dimension: str, key: str) -> str:
    """A key as the API shows it: a product's id hyphenated, with its reason after ':'."""
    if dimension == "product_reason":
        product, _, reason = key.partition(":")
        return f"{shown_key('product', product)}:{reason}"
    return shown_key(dimension, key)


def _points(
    returns: list[ReturnsRow],
    refunds: list[RefundRow],
    shipped: list[tuple[date, str, Decimal]],
    params: ReportParams,
    convert: Converter,
) -> list[Point]:
    merged: dict[tuple[date, str], Point] = {}

    def point(period: date, key: str, label: str, product_key: str) -> Point:
        shown = _key(params.dimension, key)
        return merged.setdefault((period, shown), Point(period, Figures(shown, label, product_key)))

    for r in returns:
        f = point(r.period, r.key, r.label, r.product_key).figures
        f.returns += r.returns
        f.returned_units += r.returned_units
        f.received_units += r.received_units
    for x in refunds:
        f = point(x.period, x.key, x.label, x.product_key).figures
        currency = convert.currency(x.currency)
        f.refunds[currency] = f.refunds.get(currency, ZERO) + convert(x.value, x.currency, x.period)
    units = {(period, product): n for period, product, n in shipped}
    for p in merged.values():
        p.figures.shipped_units = units.get((p.period, p.figures.product_key), ZERO)
    return list(merged.values())


def _totals(
    points: list[Point], shipped: list[tuple[date, str, Decimal]], params: ReportParams
) -> list[Figures]:
    """Per key over the range; shipped units: the key's product's (or all) in every period."""
    per_product: dict[str, Decimal] = {}
    for _period, product, n in shipped:
        per_product[product] = per_product.get(product, ZERO) + n
    totals: dict[str, Figures] = {}
    for p in points:
        f = p.figures
        total = totals.setdefault(f.key, Figures(f.key, f.label, f.product_key))
        total.add(f)
    for t in totals.values():
        t.shipped_units = per_product.get(t.product_key, ZERO)
    return list(totals.values())


def _products(returns: list[ReturnsRow], refunds: list[RefundRow]) -> set[str]:
    return {r.product_key for r in returns} | {x.product_key for x in refunds}


def _sum(shipped: list[tuple[date, str, Decimal]]) -> Decimal:
    return sum((n for _p, _k, n in shipped), ZERO)


async def _cases(uow: UnitOfWork, params: ReportParams) -> list[CaseKind]:
    q = uow.report_after_sales
    counts = {k: (o, r) for k, o, r in await q.cases(params.start, params.end)}
    histograms: dict[str, dict[int, int]] = {}
    for kind, hours, n in await q.case_hours(params.start, params.end):
        histograms.setdefault(kind, {})[hours] = n
    open_now = await q.open_cases()
    out = []
    for kind in sorted(set(counts) | set(open_now)):
        opened, resolved = counts.get(kind, (0, 0))
        h = histograms.get(kind, {})
        out.append(
            CaseKind(kind, opened, resolved, percentile(h, 0.5), percentile(h, 0.9),
                     open_now.get(kind, 0))
        )  # fmt: skip
    return out
