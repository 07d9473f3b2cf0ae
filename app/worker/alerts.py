"""The worker's alert scan: every time-based rule raised for the subjects that meet it and
resolved for those that no longer do, a batch per transaction (``app.services.alerts.scan``).
Safe in any number of workers at once."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.bootstrap import build_bus, unit_of_work
from app.domain.alerts import SCANNED
from app.services.alerts.commands import (
    SCAN_BATCH,
    RaiseDueAlerts,
    ResolveClearedAlerts,
    ScanBatch,
)
from app.settings import Settings
from app.worker.housekeeping import SYSTEM

log = logging.getLogger(__name__)


async def scan_alerts(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    batch: int = SCAN_BATCH,
) -> tuple[int, int]:
    """One round over every scanned rule; (alerts opened, alerts resolved)."""
    bus = build_bus(settings)
    opened = resolved = 0
    for rule in SCANNED:
        after: uuid.UUID | None = None
        while True:
            cmd = ResolveClearedAlerts(
                principal=SYSTEM, rule=rule, after=after, batch=batch, now=now
            )
            done: ScanBatch = await bus.handle(cmd, unit_of_work(sessionmaker, bus))
            resolved += done.changed
            if (after := done.next_after) is None:
                break
        while True:
            raising = RaiseDueAlerts(principal=SYSTEM, rule=rule, after=after, batch=batch, now=now)
            done = await bus.handle(raising, unit_of_work(sessionmaker, bus))
            opened += done.changed
            if (after := done.next_after) is None:
                break
    if opened or resolved:
        log.info("alerts.scanned", extra={"opened": opened, "resolved": resolved})
    return opened, resolved
