"""The worker's overdue round: ``invoice.overdue`` raised once for invoices past their due date."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.bootstrap import build_bus, unit_of_work
from app.services.billing.overdue_commands import OVERDUE_BATCH, RaiseOverdueInvoices
from app.settings import Settings
from app.worker.housekeeping import SYSTEM

log = logging.getLogger(__name__)


async def raise_overdue(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    batch: int = OVERDUE_BATCH,
) -> int:
    """Raise ``invoice.overdue`` for every invoice that passed its due date since the last
    round, a batch per transaction; returns how many. Safe in any number of workers at once."""
    bus = build_bus(settings)
    total = 0
    while True:
        raised: int = await bus.handle(
            RaiseOverdueInvoices(principal=SYSTEM, batch=batch), unit_of_work(sessionmaker, bus)
        )
        total += raised
        if raised < batch:
            break
    if total:
        log.info("invoices.overdue_raised", extra={"count": total})
    return total
