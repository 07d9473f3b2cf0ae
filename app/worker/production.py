"""The worker's production round: late production requests delayed, once each."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.bootstrap import build_bus, unit_of_work
from app.services.production.commands import RaiseProductionDelays
from app.settings import Settings
from app.worker.housekeeping import SYSTEM

log = logging.getLogger(__name__)


async def raise_delays(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, batch: int = 200
) -> int:
    bus = build_bus(settings)
    total = 0
    while True:
        cmd = RaiseProductionDelays(principal=SYSTEM, batch=batch)
        raised: int = await bus.handle(cmd, unit_of_work(sessionmaker, bus))
        total += raised
        if raised < batch:
            break
    if total:
        log.info("production.delays_raised", extra={"count": total})
    return total
