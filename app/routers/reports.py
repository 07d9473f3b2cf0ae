"""Reports (数据分析): sales and fulfilment, read from the summaries the worker keeps; JSON, CSV
or XLSX (Chinese headers for zh-CN callers)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.deps import AUTHENTICATED, SettingsDep, UowDep
from app.domain.reports import params as rules
from app.errors import problem_responses
from app.routers.report_common import (
    EXPORTS,
    Currency,
    Format,
    From,
    GroupBy,
    Language,
    OrderReader,
    StockReader,
    To,
    Top,
    export,
)
from app.routers.report_views import (
    fulfilment_read,
    fulfilment_table,
    sales_read,
    sales_table,
    stock_read,
    stock_table,
)
from app.schemas.reports import FulfilmentReportRead, SalesReportRead, StockReportRead
from app.services.reports.fulfilment import fulfilment_report
from app.services.reports.sales import sales_report
from app.services.reports.stock import stock_report

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], dependencies=AUTHENTICATED)


@router.get(
    "/sales",
    response_model=SalesReportRead,
    summary="Sales report",
    responses={**EXPORTS, **problem_responses(401, 403, 422)},
)
async def sales(
    uow: UowDep,
    settings: SettingsDep,
    principal: OrderReader,
    from_: From,
    to: To,
    group_by: GroupBy = "month",
    dimension: Annotated[str, Query(max_length=32, description="What to group by")] = "all",
    metric: Annotated[str, Query(max_length=32, description="What `top` ranks by")] = "net",
    top: Top = None,
    currency: Currency = None,
    format: Format = "json",
    accept_language: Language = None,
) -> SalesReportRead | Response:
    """Net sales, orders, units and average order value of the submitted orders (neither
    cancelled nor rejected) by order day, per period and key of `dimension` (customer,
    customer_group, product, channel, province, city, entered_by or all), with each key's
    change over the period of the same length before; 422 naming the parameter for a range
    ending before it starts or longer than the maximum, an unknown grouping, dimension or
    metric, or a currency without rates."""
    p = rules.check_params(
        start=from_, end=to, group_by=group_by, dimension=dimension, metric=metric, top=top,
        currency=currency, dimensions=rules.SALES_DIMENSIONS, metrics=rules.SALES_METRICS,
        max_days=settings.reports_max_range_days,
    )  # fmt: skip
    report = await sales_report(uow, p)
    if format != "json":
        return export("sales", format, accept_language, sales_table(report))
    return sales_read(report)


@router.get(
    "/fulfilment",
    response_model=FulfilmentReportRead,
    summary="Fulfilment report",
    responses={**EXPORTS, **problem_responses(401, 403, 422)},
)
async def fulfilment(
    uow: UowDep,
    settings: SettingsDep,
    principal: OrderReader,
    from_: From,
    to: To,
    group_by: GroupBy = "month",
    dimension: Annotated[str, Query(max_length=32, description="all, warehouse, carrier")] = "all",
    metric: Annotated[str, Query(max_length=32, description="What `top` ranks by")] = "orders",
    top: Top = None,
    format: Format = "json",
    accept_language: Language = None,
) -> FulfilmentReportRead | Response:
    """Lead times order → approval → allocation → shipment → delivery (p50, p90 in hours),
    OTIF, on-time rate against the promised date and line fill rate at the first allocation,
    per period of the order day and key (the first shipment's warehouse or carrier); and the
    backlog of approved, unshipped orders by age now (reserved, or waiting for stock). 422
    naming the parameter for bad input, as for sales."""
    p = rules.check_params(
        start=from_, end=to, group_by=group_by, dimension=dimension, metric=metric, top=top,
        currency=None, dimensions=rules.FULFILMENT_DIMENSIONS, metrics=rules.FULFILMENT_METRICS,
        max_days=settings.reports_max_range_days,
    )  # fmt: skip
    report = await fulfilment_report(uow, p)
    if format != "json":
        return export("fulfilment", format, accept_language, fulfilment_table(report))
    return fulfilment_read(report)


@router.get(
    "/stock",
    response_model=StockReportRead,
    summary="Stock report",
    responses={**EXPORTS, **problem_responses(401, 403, 422)},
)
async def stock(
    uow: UowDep,
    settings: SettingsDep,
    principal: StockReader,
    from_: From,
    to: To,
    group_by: GroupBy = "month",
    dimension: Annotated[
        str, Query(max_length=32, description="warehouse_product, product or warehouse")
    ] = "warehouse_product",
    metric: Annotated[
        str, Query(max_length=32, description="value, on_hand, available or issued")
    ] = "value",
    top: Top = None,
    only: Annotated[
        str | None, Query(max_length=32, description="slow_movers, or below_reorder (product)")
    ] = None,
    format: Format = "json",
    accept_language: Language = None,
) -> StockReportRead | Response:
    """On hand, reserved, available and value (at the unit price of the product's latest
    received purchase order line) now, with the units issued from `from` to `to`, days of
    cover and turnover from them; best first by `metric`, at most `top` (default 100) rows;
    `only` keeps slow movers (stock, nothing issued) or products below their reorder point.
    `issues` is the units issued per period. 422 naming the parameter for bad input."""
    p = rules.check_params(
        start=from_, end=to, group_by=group_by, dimension=dimension, metric=metric, top=top,
        currency=None, dimensions=rules.STOCK_DIMENSIONS, metrics=rules.STOCK_METRICS,
        max_days=settings.reports_max_range_days,
    )  # fmt: skip
    rules.check_stock_only(only, dimension)
    report = await stock_report(uow, p, only)
    if format != "json":
        return export("stock", format, accept_language, stock_table(report))
    return stock_read(report)
