"""The receivables report shaped for the API: its JSON schema, and the flat table CSV and XLSX
carry (the series)."""

from __future__ import annotations

from typing import Any

from app.domain.billing.aging import Bucket
from app.schemas.report_receivables import (
    OverLimitRead,
    ReceivablesAgingRead,
    ReceivablesPointRead,
    ReceivablesReportRead,
    ReceivablesTotalRead,
)
from app.services.reports.receivables import AgingLine, OverLimit, ReceivablesReport
from app.services.reports.receivables_figures import ArPoint, ArTotal

COLUMNS = [
    "period", "key", "label", "currency", "invoiced", "collected", "credited", "balance", "dso",
]  # fmt: skip


def _figures(x: ArPoint | ArTotal) -> dict[str, Any]:
    m = x.money
    return {
        "key": x.key, "label": x.label, "currency": x.currency, "invoiced": m.invoiced,
        "collected": m.collected, "credited": m.credited, "balance": x.balance, "dso": x.dso,
    }  # fmt: skip


def _total(t: ArTotal) -> ReceivablesTotalRead:
    return ReceivablesTotalRead(**_figures(t), opening_balance=t.opening_balance, overdue=t.overdue)


def _aging(a: AgingLine) -> ReceivablesAgingRead:
    b = a.buckets
    return ReceivablesAgingRead(
        key=a.key, label=a.label, currency=a.currency, current=b[Bucket.CURRENT],
        days_1_30=b[Bucket.DAYS_1_30], days_31_60=b[Bucket.DAYS_31_60],
        days_61_90=b[Bucket.DAYS_61_90], over_90=b[Bucket.OVER_90], total=a.total,
    )  # fmt: skip


def _over(o: OverLimit) -> OverLimitRead:
    return OverLimitRead(
        customer_id=o.customer_id, customer_code=o.code, customer_name=o.name,
        currency=o.currency, credit_limit=o.credit_limit, open_receivables=o.open_receivables,
        open_orders=o.open_orders, exposure=o.exposure, excess=o.excess,
    )  # fmt: skip


def receivables_read(report: ReceivablesReport) -> ReceivablesReportRead:
    p = report.params
    return ReceivablesReportRead(
        as_of=report.as_of,
        from_date=p.start,
        to_date=p.end,
        group_by=p.grouping.value,
        dimension=p.dimension,
        metric=p.metric,
        currency=p.currency,
        today=report.today,
        series=[ReceivablesPointRead(period=x.period, **_figures(x)) for x in report.series],
        totals=[_total(t) for t in report.totals],
        total=[_total(t) for t in report.total],
        aging=[_aging(a) for a in report.aging],
        aging_total=[_aging(a) for a in report.aging_total],
        over_limit=[_over(o) for o in report.over_limit],
    )


def receivables_table(report: ReceivablesReport) -> tuple[list[str], list[list[Any]]]:
    rows = [[x.period, *_figures(x).values()] for x in report.series]
    return COLUMNS, rows
