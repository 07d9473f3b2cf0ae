"""The stock report: on hand, reserved, available and value (at the unit price of the latest
purchase receipt) per warehouse and product, product or warehouse; issues over the range, days
of cover and turnover from them; slow movers and products below their reorder point."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.domain.reports.params import ReportParams
from app.domain.reports.periods import bucket
from app.domain.reports.stats import days_of_cover, turnover
from app.repositories.report_stock import StockRow
from app.services.unit_of_work import UnitOfWork

DEFAULT_TOP = 100


@dataclass(frozen=True)
class StockLine:
    row: StockRow
    available: Decimal
    days_of_cover: Decimal | None
    turnover: Decimal | None
    slow_mover: bool
    below_reorder: bool | None


@dataclass(frozen=True)
class StockReport:
    params: ReportParams
    as_of: datetime | None
    only: str | None
    issues: list[tuple[date, Decimal]]  # per period
    lines: list[StockLine]


async def stock_report(uow: UnitOfWork, params: ReportParams, only: str | None) -> StockReport:
    async with uow:
        rows = await uow.report_stock.stock(
            params.dimension, params.start, params.end, params.metric,
            params.top or DEFAULT_TOP, only,
        )  # fmt: skip
        daily = await uow.report_stock.issues_by_day(params.start, params.end)
        as_of = await uow.reports.as_of()
    days = (params.end - params.start).days + 1
    issues: dict[date, Decimal] = {}
    for day, quantity in daily:
        period = bucket(day, params.grouping)
        issues[period] = issues.get(period, Decimal(0)) + quantity
    lines = [_line(r, days) for r in rows]
    return StockReport(params, as_of, only, sorted(issues.items()), lines)


def _line(r: StockRow, days: int) -> StockLine:
    available = r.on_hand - r.reserved
    return StockLine(
        row=r,
        available=available,
        days_of_cover=days_of_cover(available, r.issued, days),
        turnover=turnover(r.issued, r.on_hand),
        slow_mover=r.on_hand > 0 and r.issued == 0,
        below_reorder=None if r.reorder_point is None else available < r.reorder_point,
    )
