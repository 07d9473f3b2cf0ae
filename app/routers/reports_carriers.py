"""The carriers report (数据分析), read from the summaries the worker keeps; JSON, CSV or XLSX
(Chinese headers for zh-CN callers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.deps import AUTHENTICATED, SettingsDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.reports import carriers as rules
from app.domain.reports.carriers import Figures
from app.domain.reports.params import check_params
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
from app.schemas.report_carriers import (
    CarrierReportCost,
    CarrierReportFigures,
    CarrierReportPoint,
    CarrierReportRead,
)
from app.services.reports.carriers import CarrierPoint, CarrierReport, carriers_report

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], dependencies=AUTHENTICATED)
# The scope the shipment list asks for (app/routers/shipments.py).
ShipmentReader = Annotated[Principal, Depends(requires("stock:read"))]
COLUMNS = [
    "period", "key", "label", "shipments", "delivered_with_promise", "on_time", "on_time_rate",
    "exceptions", "exception_rate", "currency", "costed_shipments", "costed_kg", "cost",
    "cost_per_shipment", "cost_per_kg",
]  # fmt: skip


@router.get(
    "/carriers",
    response_model=CarrierReportRead,
    summary="Carriers report",
    responses={**EXPORTS, **problem_responses(401, 403, 422)},
)
async def carriers(
    uow: UowDep,
    settings: SettingsDep,
    principal: ShipmentReader,
    from_: From,
    to: To,
    group_by: GroupBy = "month",
    dimension: Annotated[
        str,
        Query(
            max_length=32, description="all, carrier, service (carrier and service) or warehouse"
        ),
    ] = "carrier",
    metric: Annotated[str, Query(max_length=32, description="What `top` ranks by")] = "shipments",
    top: Top = None,
    currency: Currency = None,
    format: Format = "json",
    accept_language: Language = None,
) -> CarrierReportRead | Response:
    """Shipments that left (by their UTC day), on-time rate (delivered by the promised date,
    of those delivered with one), exception rate (a tracking event or status that raises an
    alert) and cost per shipment and per kg (of the shipments with a shipping cost, in their
    own currency or converted into `currency`), per period and key of `dimension` (own fleet
    for shipments without a carrier); totals per key best first by `metric` (at most `top`,
    default 50) and the grand total. 422 naming the parameter for a range ending before it
    starts or longer than the maximum, an unknown grouping, dimension or metric, or a
    currency without rates. CSV and XLSX: a row per period, key and cost currency."""
    p = check_params(
        start=from_, end=to, group_by=group_by, dimension=dimension, metric=metric, top=top,
        currency=currency, dimensions=rules.DIMENSIONS, metrics=rules.METRICS,
        max_days=settings.reports_max_range_days,
    )  # fmt: skip
    report = await carriers_report(uow, p)
    if format != "json":
        return export("carriers", format, accept_language, _table(report), rules.ZH_HEADERS)
    return _read(report)


def _costs(point: CarrierPoint) -> list[CarrierReportCost]:
    return [_cost(currency, point.costs[currency]) for currency in sorted(point.costs)]


def _cost(currency: str, f: Figures) -> CarrierReportCost:
    return CarrierReportCost(
        currency=currency, costed_shipments=f.costed_shipments, costed_kg=f.costed_kg,
        cost=f.cost, cost_per_shipment=f.cost_per_shipment, cost_per_kg=f.cost_per_kg,
    )  # fmt: skip


def _figures(point: CarrierPoint) -> dict[str, Any]:
    c = point.counts
    return {
        "key": point.key, "label": point.label, "shipments": c.shipments,
        "delivered_with_promise": c.delivered_with_promise, "on_time": c.on_time,
        "on_time_rate": c.on_time_rate, "exceptions": c.exceptions,
        "exception_rate": c.exception_rate, "costs": _costs(point),
    }  # fmt: skip


def _read(report: CarrierReport) -> CarrierReportRead:
    p = report.params
    return CarrierReportRead(
        as_of=report.as_of, from_date=p.start, to_date=p.end, group_by=p.grouping.value,
        dimension=p.dimension, metric=p.metric, currency=p.currency,
        series=[CarrierReportPoint(period=x.period, **_figures(x)) for x in report.series],
        totals=[CarrierReportFigures(**_figures(x)) for x in report.totals],
        total=CarrierReportFigures(**_figures(report.total)),
    )  # fmt: skip


def _table(report: CarrierReport) -> tuple[list[str], list[list[Any]]]:
    """A row per point and cost currency (the shipment counts repeated on each); a point
    without costs has one row with the cost columns empty."""
    rows: list[list[Any]] = []
    for x in report.series:
        f = _figures(x)
        head = [x.period, *(f[c] for c in COLUMNS[1:9])]
        costs = f["costs"] or [None]
        for cost in costs:
            if cost is None:
                rows.append([*head, None, None, None, None, None, None])
                continue
            rows.append([*head, *cost.model_dump().values()])
    return COLUMNS, rows
