"""The worker's tracking poll: carriers that send no webhooks are asked about their shipments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.bootstrap import build_bus, unit_of_work
from app.services.shipments.tracking.commands import POLL_BATCH, PollTracking
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
    returns ``batch``). Safe to run in any number of workers at once. The poll is a command
    on the bus, like a request's."""
    bus = build_bus(settings)
    command = PollTracking(now=datetime.now(UTC), interval=interval, batch=batch, client=client)
    polled: int = await bus.handle(command, unit_of_work(sessionmaker, bus))
    return polled
