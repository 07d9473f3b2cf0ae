"""The worker's periodic invoicing (月结): once a week or a month has ended (from
``LADING_PERIODIC_INVOICING_HOUR`` UTC the day after), its periodic customers are billed.
The run is idempotent, so the worker calls it every hour and only the first call after a
period closes makes invoices; a worker that was down bills the period when it is back."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.auth import Principal
from app.domain.billing.invoices import InvoicingPeriod
from app.domain.billing.periods import due_for_billing
from app.settings import Settings

log = logging.getLogger(__name__)
INVOICING_EVERY = timedelta(hours=1)
BILLER = Principal(
    subject_id="system",
    name="worker",
    kind="system",
    roles=(),
    scopes=frozenset({"invoices:write"}),
)


async def invoice_closed_periods(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
) -> int:
    """Bill the week and the month just closed at ``now`` (default: now); returns how many
    invoices were made. A customer that fails is logged; the others are billed."""
    from app.bootstrap import build_bus, unit_of_work
    from app.services.billing.periodic import RunReport
    from app.services.billing.periodic_commands import RunPeriodicInvoicing

    at = now or datetime.now(UTC)
    bus = build_bus(settings)
    made = 0
    for kind in (InvoicingPeriod.WEEK, InvoicingPeriod.MONTH):
        period = due_for_billing(kind, at, settings.periodic_invoicing_hour)
        command = RunPeriodicInvoicing(principal=BILLER, period=kind, period_end=period.end)
        report: RunReport = await bus.handle(command, unit_of_work(sessionmaker, bus))
        made += len(report.invoices)
        for c in report.customers:
            if c.outcome == "failed":
                log.warning(
                    "invoicing.customer_failed",
                    extra={"customer_id": str(c.customer_id), "code": c.code, "reason": c.reason},
                )
    if made:
        log.info("invoicing.period_billed", extra={"invoices": made})
    return made
