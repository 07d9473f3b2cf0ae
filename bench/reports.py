"""The reports at scale, called by ``bench.scale``: the summaries are built with the rebuild
(``lading reports rebuild``), then each report is timed over a full year grouped by month
(and by customer, product, warehouse) and its statements' plans are captured like the other
read paths'. Target: p95 under 300 ms at 1,000,000 orders."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any

import httpx

REPORT_TARGET_MS = 300.0
CORE_TABLES = (
    "report_order_facts",
    "report_line_facts",
    "report_sales",
    "report_sales_months",
    "report_fulfilment",
    "report_fulfilment_months",
    "report_lead_times",
    "report_lead_time_months",
    "report_stock_issues",
)


def summary_tables() -> list[str]:
    """Every summary table: the order facts' and stock's, and each registered summary's."""
    from app.repositories.report_registry import SUMMARIES

    return [*CORE_TABLES, *(t.__tablename__ for s in SUMMARIES for t in s.tables)]


async def build(sessionmaker: Any, pg: Any) -> dict[str, Any]:
    """Rebuild the summaries (timed), analyse them, compare a sample with ``lading check``'s
    report comparison; their row counts."""
    from app.repositories.uow import SqlAlchemyUnitOfWork
    from app.services.check.reports import report_violations
    from app.worker.reports import rebuild

    started = time.perf_counter()
    orders = await rebuild(sessionmaker)
    seconds = time.perf_counter() - started
    for table in summary_tables():
        await pg.execute(f"ANALYZE {table}")
    started = time.perf_counter()
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    async with uow:
        violations = await report_violations(uow)
    check_seconds = time.perf_counter() - started
    rows = {t: await pg.fetchval(f"SELECT count(*) FROM {t}") for t in summary_tables()}
    return {
        "orders": orders,
        "rebuild_seconds": round(seconds, 1),
        "check_seconds": round(check_seconds, 2),
        "check_violations": len(violations),
        "rows": rows,
    }


def _year(now: datetime) -> dict[str, str]:
    """The twelve whole months before this one (read from the month roll-ups)."""
    first = now.date().replace(day=1)
    start = date(first.year - 1, first.month, 1)
    return {"from": start.isoformat(), "to": (first - timedelta(days=1)).isoformat()}


def _rolling(now: datetime) -> dict[str, str]:
    """The 365 days to today (not whole months: read from the day roll-ups)."""
    today = now.date()
    return {"from": (today - timedelta(days=364)).isoformat(), "to": today.isoformat()}


def queries(
    client: httpx.AsyncClient, now: datetime
) -> list[tuple[str, Callable[[int], Awaitable[httpx.Response]]]]:
    year, rolling = _year(now), _rolling(now)

    def get(path: str, params: dict[str, Any]) -> Callable[[int], Awaitable[httpx.Response]]:
        return lambda k: client.get(f"/api/v1/reports/{path}", params=params)

    return [
        ("reports: sales, year by month", get("sales", {**year})),
        ("reports: sales, year by month and customer",
         get("sales", {**year, "dimension": "customer"})),
        ("reports: sales, year by month, top 50 products",
         get("sales", {**year, "dimension": "product", "top": 50})),
        ("reports: sales, 365 days by month and customer (day rows)",
         get("sales", {**rolling, "dimension": "customer"})),
        ("reports: sales, year by month and customer, xlsx",
         get("sales", {**year, "dimension": "customer", "format": "xlsx"})),
        ("reports: fulfilment, year by month", get("fulfilment", {**year})),
        ("reports: fulfilment, year by month and warehouse",
         get("fulfilment", {**year, "dimension": "warehouse"})),
        ("reports: stock, top 100 by value, issues over the year", get("stock", {**year})),
        ("reports: stock per product, slow movers",
         get("stock", {**year, "dimension": "product", "only": "slow_movers"})),
        ("reports: carriers, year by month and carrier", get("carriers", {**year})),
        ("reports: carriers, year by month and service",
         get("carriers", {**year, "dimension": "service"})),
        ("reports: receivables, year by month", get("receivables", {**year})),
        ("reports: receivables, year by month and customer",
         get("receivables", {**year, "dimension": "customer"})),
        ("reports: after-sales, year by month and product",
         get("after-sales", {**year, "dimension": "product"})),
        ("reports: after-sales, year by month and reason",
         get("after-sales", {**year, "dimension": "reason"})),
    ]  # fmt: skip
