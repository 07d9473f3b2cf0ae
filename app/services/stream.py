"""The live stream: the routed events a caller may see, read from the database by position.

Every open stream polls the event stream (``OutboxRepository.after``) in a short transaction
of its own, so it holds no connection between polls and sees what any process routed: the API
may run as many processes as it likes. Positions increase in commit order and every position
up to the last one read is visible, so going on from the last position read loses nothing.
A stream ends after ``max_seconds``: the client reconnects with the last id it saw."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from app.domain.stream import may_see
from app.repositories.events import OutboxEvent
from app.repositories.uow import SqlAlchemyUnitOfWork

log = logging.getLogger(__name__)

UowFactory = Callable[[], SqlAlchemyUnitOfWork]


@dataclass(frozen=True)
class StreamLimits:
    poll_seconds: float
    heartbeat_seconds: float
    max_seconds: float
    batch_size: int


@dataclass(frozen=True)
class Delivered:
    """An event for the caller: its position (the SSE id), type and envelope."""

    position: int
    event_type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Passed:
    """Events the caller may not see ran up to ``position``: its last id moves on."""

    position: int


@dataclass(frozen=True)
class Heartbeat:
    """Nothing for the caller for a while; the connection is alive."""


Item = Delivered | Passed | Heartbeat


def envelope(event: OutboxEvent) -> dict[str, Any]:
    """What a consumer gets of an event (the live stream's data, the NATS message body)."""
    occurred = event.created_at
    if occurred.tzinfo is None:  # SQLite hands back naive UTC datetimes
        occurred = occurred.replace(tzinfo=UTC)
    return {
        "id": str(event.id),
        "type": event.event_type,
        "aggregate_type": event.aggregate_type,
        "aggregate_id": event.aggregate_id,
        "occurred_at": occurred.isoformat().replace("+00:00", "Z"),
        "payload": event.payload,
    }


async def last_position(new_uow: UowFactory) -> int:
    """Where a stream without ``Last-Event-ID`` starts: now."""
    async with new_uow() as uow:
        return await uow.outbox.last_position()


async def _read(new_uow: UowFactory, position: int, limit: int) -> list[OutboxEvent]:
    async with new_uow() as uow:
        return await uow.outbox.after(position, limit)


def _visible(events: list[OutboxEvent], scopes: frozenset[str]) -> list[Item]:
    """The events ``scopes`` may see; a ``Passed`` at the end when the last is not one."""
    items: list[Item] = []
    for event in events:
        if may_see(event.event_type, scopes):
            items.append(Delivered(event.position or 0, event.event_type, envelope(event)))
    last = events[-1]
    if not may_see(last.event_type, scopes):
        items.append(Passed(last.position or 0))
    return items


async def follow(
    new_uow: UowFactory,
    scopes: frozenset[str],
    after: int,
    limits: StreamLimits,
    disconnected: Callable[[], Awaitable[bool]],
) -> AsyncIterator[Item]:
    """The events after position ``after`` that ``scopes`` may see, as they are routed, with
    a heartbeat after ``heartbeat_seconds`` of silence, until ``max_seconds`` passed or the
    client went away."""
    started = time.monotonic()
    end = started + limits.max_seconds
    quiet_since = started
    position = after
    reason = "disconnected"  # also when the server cancels the response on a disconnect
    log.info("stream.opened", extra={"after": after})
    try:
        while not await disconnected():
            events = await _read(new_uow, position, limits.batch_size)
            if events:
                for item in _visible(events, scopes):
                    yield item
                position = events[-1].position or position
                quiet_since = time.monotonic()
                if len(events) == limits.batch_size and quiet_since < end:
                    continue  # more is waiting
            now = time.monotonic()
            if now >= end:
                reason = "max_seconds"
                return
            if now - quiet_since >= limits.heartbeat_seconds:
                yield Heartbeat()
                quiet_since = now
            next_beat = quiet_since + limits.heartbeat_seconds
            await asyncio.sleep(max(0.0, min(limits.poll_seconds, end - now, next_beat - now)))
    finally:
        log.info("stream.closed", extra={"reason": reason, "position": position})
