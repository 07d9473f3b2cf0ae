"""The worker's tracking poll: carriers that send no webhooks are asked about their shipments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.tracking import POLL_BATCH, poll_tracking


async def poll_carriers(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    *,
    interval: timedelta,
    batch: int = POLL_BATCH,
) -> int:
    """Poll one batch of shipments last tracked more than ``interval`` ago (the worker passes
    ``LADING_TRACKING_POLL_MINUTES``); returns how many were polled (call again while it
    returns ``batch``). Safe to run in any number of workers at once."""
    return await poll_tracking(
        lambda: SqlAlchemyUnitOfWork(sessionmaker),
        client,
        now=datetime.now(UTC),
        batch=batch,
        interval=interval,
    )
