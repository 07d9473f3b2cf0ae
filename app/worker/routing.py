"""Routing: the worker's first step with every event, after the request committed it.

A batch of pending outbox events is locked, numbered onto the event stream (positions in commit
order, see ``OutboxRepository.take_positions``) and handed to every route in ``ROUTES``, all in
one transaction: a route turns events into its own work (a webhook delivery per matching
endpoint, a notification per subject and kind), so either all of that exists or none of it and
the events stay pending. A route that fails on a batch is retried one event at a time, so one bad
event waits (with back-off, then dead) without holding the others back."""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.retry import next_retry
from app.repositories.events import OutboxEvent
from app.repositories.outbox import OutboxRepository
from app.settings import Settings

log = logging.getLogger(__name__)

# A route: called with the routing transaction's session, the batch in stream order and the
# settings; it adds rows to the session and never commits.
Route = Callable[[AsyncSession, Sequence[OutboxEvent], Settings], Awaitable[None]]


async def route_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    routes: Sequence[Route],
    *,
    rand: random.Random | None = None,
) -> int:
    """Route one batch of due events; returns how many were taken (routed or failed)."""
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        repo = OutboxRepository(session)
        events = await repo.claim_unrouted(now, settings.dispatcher_batch_size)
        if not events:
            return 0
        ids = [e.id for e in events]
        try:
            await _route(session, events, settings, routes, now)
            await session.commit()
            return len(ids)
        except Exception:
            log.exception("outbox.route_batch_failed", extra={"count": len(ids)})
            await session.rollback()
    for event_id in ids:
        await _route_alone(sessionmaker, settings, routes, event_id, rand)
    return len(ids)


async def _route(
    session: AsyncSession,
    events: Sequence[OutboxEvent],
    settings: Settings,
    routes: Sequence[Route],
    now: datetime,
) -> None:
    for route in routes:
        await route(session, events, settings)
    await OutboxRepository(session).mark_routed(events, now)


async def _route_alone(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    routes: Sequence[Route],
    event_id: uuid.UUID,
    rand: random.Random | None,
) -> None:
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        event = await OutboxRepository(session).claim_one(event_id)
        if event is None:
            return
        attempts = event.attempts
        try:
            await _route(session, [event], settings, routes, now)
            await session.commit()
            return
        except Exception as exc:
            await session.rollback()
            error = f"{type(exc).__name__}: {exc}"
    delay = next_retry(attempts, settings.dispatcher_max_attempts, rand=rand)
    async with sessionmaker() as session:
        retry_at = now + delay if delay is not None else None
        await OutboxRepository(session).mark_failed(event_id, error=error, retry_at=retry_at)
        await session.commit()
    log.warning(
        "outbox.route_failed",
        extra={"event_id": str(event_id), "error": error, "dead": delay is None},
    )
