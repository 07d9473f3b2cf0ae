"""The reports' summaries against the transaction tables, on a sample (``lading check``)."""

from __future__ import annotations

from app.domain.stock import StockViolation
from app.services.check.common import plain
from app.services.unit_of_work import UnitOfWork

SAMPLE_ORDERS = 200
SAMPLE_DAYS = 31


async def report_violations(uow: UnitOfWork) -> list[StockViolation]:
    """Nothing when the projector is behind the stream (the summaries are rightly older)."""
    if not await uow.report_check.caught_up():
        return []
    facts = [
        StockViolation(
            None,
            None,
            "report_fact_mismatch",
            "the order's report fact differs from its rows (run `lading reports rebuild`)",
            record_type="order",
            record_id=str(order_id),
        )
        for order_id in await uow.report_check.fact_mismatches(SAMPLE_ORDERS)
    ]
    days = [
        StockViolation(
            None,
            None,
            "report_sales_mismatch",
            f"the day's sales summary {plain(summary)} differs from its orders' {plain(real)}",
            record_type="report_day",
            record_id=day.isoformat(),
        )
        for day, summary, real in await uow.report_check.day_mismatches(SAMPLE_DAYS)
    ]
    others = [
        StockViolation(
            None,
            None,
            f"report_{name}_mismatch",
            f"{m.detail} (run `lading reports rebuild`)",
            record_type=m.record_type,
            record_id=m.record_id,
        )
        for name, m in await uow.report_check.summary_mismatches(SAMPLE_ORDERS)
    ]
    return facts + days + others
