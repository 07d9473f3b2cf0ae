"""The after-sales report shaped for the API: its JSON schema, and the flat table CSV and XLSX
carry (one row per period and key; a key refunded in several currencies has one more row per
further currency, carrying only its refund)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.schemas.report_after_sales import (
    AfterSalesFigures,
    AfterSalesPointRead,
    AfterSalesReportRead,
    CaseKindRead,
    RefundValue,
)
from app.services.reports.after_sales import AfterSalesReport, Figures

COLUMNS = [
    "period", "key", "label", "returns", "returned_units", "received_units", "shipped_units",
    "return_rate", "currency", "refund_value",
]  # fmt: skip


def _figures(f: Figures) -> dict[str, Any]:
    return {
        "key": f.key, "label": f.label, "returns": f.returns,
        "returned_units": f.returned_units, "received_units": f.received_units,
        "shipped_units": f.shipped_units, "return_rate": f.return_rate,
        "refund_value": [RefundValue(currency=c, amount=a) for c, a in sorted(f.refunds.items())],
    }  # fmt: skip


def after_sales_read(report: AfterSalesReport) -> AfterSalesReportRead:
    p = report.params
    return AfterSalesReportRead(
        as_of=report.as_of, from_date=p.start, to_date=p.end, group_by=p.grouping.value,
        dimension=p.dimension, metric=p.metric, currency=p.currency,
        series=[AfterSalesPointRead(period=x.period, **_figures(x.figures)) for x in report.series],
        totals=[AfterSalesFigures(**_figures(t)) for t in report.totals],
        total=AfterSalesFigures(**_figures(report.total)),
        cases=[
            CaseKindRead(kind=c.kind, opened=c.opened, resolved=c.resolved,
                         resolve_p50_hours=c.p50_hours, resolve_p90_hours=c.p90_hours,
                         open_now=c.open_now)
            for c in report.cases
        ],
    )  # fmt: skip


def after_sales_table(report: AfterSalesReport) -> tuple[list[str], list[list[Any]]]:
    rows: list[list[Any]] = []
    for x in report.series:
        f = x.figures
        refunds: list[tuple[str, Decimal | None]] = [*sorted(f.refunds.items())] or [("", None)]
        (currency, amount), *more = refunds
        rows.append([
            x.period, f.key, f.label, f.returns, f.returned_units, f.received_units,
            f.shipped_units, f.return_rate, currency, amount,
        ])  # fmt: skip
        rows += [[x.period, f.key, f.label, *[None] * 5, c, a] for c, a in more]
    return COLUMNS, rows
