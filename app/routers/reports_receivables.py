"""Reports (数据分析): the receivables report (应收账款), read from the summaries the worker
keeps; JSON, CSV or XLSX (Chinese headers for zh-CN callers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.deps import AUTHENTICATED, SettingsDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.reports import params as common
from app.domain.reports import receivables as rules
from app.errors import problem_responses
from app.routers.report_common import (
    EXPORTS,
    Currency,
    Format,
    From,
    GroupBy,
    Language,
    To,
    Top,
    export,
)
from app.routers.report_receivables_views import receivables_read, receivables_table
from app.schemas.report_receivables import ReceivablesReportRead
from app.services.reports.receivables import receivables_report

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], dependencies=AUTHENTICATED)
InvoiceReader = Annotated[Principal, Depends(requires("invoices:read"))]


@router.get(
    "/receivables",
    response_model=ReceivablesReportRead,
    summary="Receivables report",
    responses={**EXPORTS, **problem_responses(401, 403, 422)},
)
async def receivables(
    uow: UowDep,
    settings: SettingsDep,
    principal: InvoiceReader,
    from_: From,
    to: To,
    group_by: GroupBy = "month",
    dimension: Annotated[
        str, Query(max_length=32, description="all, customer or customer_group")
    ] = "all",
    metric: Annotated[
        str,
        Query(
            max_length=32,
            description="What `top` ranks by: balance, overdue, invoiced, collected or dso",
        ),
    ] = "balance",
    top: Top = None,
    currency: Currency = None,
    format: Format = "json",
    accept_language: Language = None,
) -> ReceivablesReportRead | Response:
    """Per period and key of `dimension`: invoiced (issued invoices' totals by issue date),
    collected (payments applied by the day applied, less those unapplied or reversed),
    credited (credit notes applied, a voided invoice's red-letter note on the void date), the
    balance at the period's end and DSO (balance ÷ invoiced × the period's days; null with
    nothing invoiced); each key's totals with the opening balance and what is overdue now,
    best first by `metric`; the grand total per currency; `aging`: what is open now by days
    past due (not due, 1–30, 31–60, 61–90, over 90) per key and in total; `over_limit`:
    customers whose exposure (open receivables + approved orders not invoiced + drafts, as the
    credit check has it) is over their credit limit now. 422 naming the parameter for a range
    ending before it starts or longer than the maximum, an unknown grouping, dimension or
    metric, or a currency without rates."""
    p = common.check_params(
        start=from_, end=to, group_by=group_by, dimension=dimension, metric=metric, top=top,
        currency=currency, dimensions=rules.RECEIVABLES_DIMENSIONS,
        metrics=rules.RECEIVABLES_METRICS, max_days=settings.reports_max_range_days,
    )  # fmt: skip
    report = await receivables_report(uow, p)
    if format != "json":
        table = receivables_table(report)
        return export("receivables", format, accept_language, table, chinese=rules.ZH)
    return receivables_read(report)
