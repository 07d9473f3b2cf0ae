"""Reports shaped for the API: the JSON schemas, and the flat table CSV and XLSX carry."""

from __future__ import annotations

from typing import Any

from app.domain.reports.facts import STAGES
from app.schemas.reports import (
    BacklogRead,
    FulfilmentFigures,
    FulfilmentPointRead,
    FulfilmentReportRead,
    IssuesPoint,
    LeadTime,
    SalesPointRead,
    SalesReportRead,
    SalesTotalRead,
    StockLineRead,
    StockReportRead,
)
from app.services.reports.fulfilment import FulfilmentPoint, FulfilmentReport
from app.services.reports.sales import SalesReport, SalesTotal
from app.services.reports.stock import StockLine, StockReport

SALES_COLUMNS = ["period", "key", "label", "currency", "orders", "units", "net"]
FULFILMENT_COLUMNS = [
    "period", "key", "label", "orders", "shipped", "in_full", "on_time", "otif", "otif_rate",
    "on_time_rate", "fill_rate",
    *(f"{s}_p{q}_hours" for s in STAGES for q in (50, 90)),
]  # fmt: skip


def _meta(report: SalesReport | FulfilmentReport | StockReport) -> dict[str, Any]:
    p = report.params
    return {
        "as_of": report.as_of,
        "from_date": p.start,
        "to_date": p.end,
        "group_by": p.grouping.value,
        "dimension": p.dimension,
        "metric": p.metric,
        "currency": p.currency,
    }


def _sales_total(t: SalesTotal) -> SalesTotalRead:
    f = t.figures
    return SalesTotalRead(
        key=t.key, label=t.label, currency=t.currency, orders=f.orders, units=f.units,
        net=f.net, average_order_value=f.average_order_value, previous_net=t.previous.net,
        change=t.change,
    )  # fmt: skip


def sales_read(report: SalesReport) -> SalesReportRead:
    series = [
        SalesPointRead(
            period=p.period,
            key=p.key,
            label=p.label,
            currency=p.currency,
            orders=p.figures.orders,
            units=p.figures.units,
            net=p.figures.net,
            average_order_value=p.figures.average_order_value,
        )
        for p in report.series
    ]
    return SalesReportRead(
        **_meta(report),
        series=series,
        totals=[_sales_total(t) for t in report.totals],
        total=[_sales_total(t) for t in report.total],
    )


def sales_table(report: SalesReport) -> tuple[list[str], list[list[Any]]]:
    rows = [
        [p.period, p.key, p.label, p.currency, p.figures.orders, p.figures.units, p.figures.net]
        for p in report.series
    ]
    return SALES_COLUMNS, rows


def _figures(p: FulfilmentPoint) -> dict[str, Any]:
    v = p.counts.values
    leads = [
        LeadTime(stage=s, p50_hours=p.counts.p(s, 0.5), p90_hours=p.counts.p(s, 0.9))
        for s in STAGES
    ]
    return {
        "key": p.key, "label": p.label, "orders": v["orders"], "shipped": v["shipped"],
        "in_full": v["in_full"], "on_time": v["on_time"], "otif": v["otif"],
        **p.counts.rates(), "lead_times": leads,
    }  # fmt: skip


def fulfilment_read(report: FulfilmentReport) -> FulfilmentReportRead:
    return FulfilmentReportRead(
        **_meta(report),
        series=[FulfilmentPointRead(period=p.period, **_figures(p)) for p in report.series],
        totals=[FulfilmentFigures(**_figures(p)) for p in report.totals],
        backlog=[
            BacklogRead(age_days=b.age, reserved=b.reserved, waiting=b.waiting)
            for b in report.backlog
        ],
    )


def fulfilment_table(report: FulfilmentReport) -> tuple[list[str], list[list[Any]]]:
    rows = []
    for p in report.series:
        f = _figures(p)
        leads = [x for lead in f["lead_times"] for x in (lead.p50_hours, lead.p90_hours)]
        rows.append([p.period, *(f[c] for c in FULFILMENT_COLUMNS[1:11]), *leads])
    return FULFILMENT_COLUMNS, rows


STOCK_COLUMNS = [
    "warehouse", "sku", "currency", "on_hand", "reserved", "available", "value", "issued",
    "days_of_cover", "turnover", "slow_mover", "below_reorder",
]  # fmt: skip


def _stock_line(x: StockLine) -> StockLineRead:
    r = x.row
    return StockLineRead(
        warehouse=r.warehouse, sku=r.sku, currency=r.currency, on_hand=r.on_hand,
        reserved=r.reserved, available=x.available, value=r.value, issued=r.issued,
        days_of_cover=x.days_of_cover, turnover=x.turnover, slow_mover=x.slow_mover,
        below_reorder=x.below_reorder,
    )  # fmt: skip


def stock_read(report: StockReport) -> StockReportRead:
    return StockReportRead(
        **_meta(report),
        only=report.only,
        issues=[IssuesPoint(period=d, issued=q) for d, q in report.issues],
        lines=[_stock_line(x) for x in report.lines],
    )


def stock_table(report: StockReport) -> tuple[list[str], list[list[Any]]]:
    rows = [list(_stock_line(x).model_dump().values()) for x in report.lines]
    return STOCK_COLUMNS, rows
