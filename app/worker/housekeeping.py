"""Periodic housekeeping run by the worker: purge expired idempotency records."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.repositories.orders import IdempotencyRepository

log = logging.getLogger(__name__)


async def purge_idempotency_keys(
    sessionmaker: async_sessionmaker[AsyncSession], *, retention: timedelta
) -> int:
    """Delete idempotency records older than ``retention`` (at least 24 hours by setting)."""
    cutoff = datetime.now(UTC) - retention
    async with sessionmaker() as session:
        purged = await IdempotencyRepository(session).purge_older_than(cutoff)
        await session.commit()
    if purged:
        log.info("idempotency.purged", extra={"count": purged})
    return purged
