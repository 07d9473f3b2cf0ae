"""The worker's tracking poll: carriers that send no webhooks are asked about their shipments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.bootstrap import uow_factory
from app.services.shipments.tracking import POLL_BATCH, poll_tracking
from app.settings import Settings


async def poll_carriers(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    *,
    interval: timedelta,
    settings: Settings,
    batch: int = POLL_BATCH,
) -> int:
    """Poll one batch of shipments last tracked more than ``interval`` ago (the worker passes
    ``LADING_TRACKING_POLL_MINUTES``); returns how many were polled (call again while it
    returns ``batch``). Safe to run in any number of workers at once."""
    return await poll_tracking(
        uow_factory(sessionmaker, settings),
        client,
        now=datetime.now(UTC),
        batch=batch,
        interval=interval,
    )
