"""The after-sales report (售后分析), read from the summaries the worker keeps; JSON, CSV or
XLSX (Chinese headers for zh-CN callers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.deps import AUTHENTICATED, SettingsDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.reports import after_sales as rules
from app.domain.reports.params import check_params
from app.errors import problem_responses
from app.routers.report_after_sales_views import after_sales_read, after_sales_table
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
from app.schemas.report_after_sales import AfterSalesReportRead
from app.services.reports.after_sales import after_sales_report

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], dependencies=AUTHENTICATED)
ReturnReader = Annotated[Principal, Depends(requires("returns:read"))]


@router.get(
    "/after-sales",
    response_model=AfterSalesReportRead,
    summary="After-sales report",
    responses={**EXPORTS, **problem_responses(401, 403, 422)},
)
async def after_sales(
    uow: UowDep,
    settings: SettingsDep,
    principal: ReturnReader,
    from_: From,
    to: To,
    group_by: GroupBy = "month",
    dimension: Annotated[
        str, Query(max_length=32, description="all, product, reason or product_reason")
    ] = "all",
    metric: Annotated[
        str,
        Query(max_length=32, description="returned_units, return_rate, refund_value or returns"),
    ] = "returned_units",
    top: Top = None,
    currency: Currency = None,
    format: Format = "json",
    accept_language: Language = None,
) -> AfterSalesReportRead | Response:
    """Returns (RMAs) by the day they were requested, per period and key of `dimension`:
    returns, returned units (received back once received, asked for while open; refused and
    cancelled returns count nothing), units shipped by ship day (of the key's product, or all),
    the return rate, and refunds of returns by refund date (per currency, or in `currency`);
    the keys' totals best first by `metric`, at most `top` (default 50); the grand total; and
    per case kind the cases opened and resolved in the range, hours to resolve (p50, p90) and
    those open now. 422 naming the parameter for a range ending before it starts or longer than
    the maximum, an unknown grouping, dimension or metric, or a currency without rates."""
    p = check_params(
        start=from_, end=to, group_by=group_by, dimension=dimension, metric=metric, top=top,
        currency=currency, dimensions=rules.DIMENSIONS, metrics=rules.METRICS,
        max_days=settings.reports_max_range_days,
    )  # fmt: skip
    report = await after_sales_report(uow, p)
    if format != "json":
        table = after_sales_table(report)
        return export("after-sales", format, accept_language, table, chinese=rules.ZH_HEADERS)
    return after_sales_read(report)
