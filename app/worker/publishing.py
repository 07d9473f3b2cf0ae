"""Events onto NATS JetStream: every routed event, in stream order, at least once.

The publisher is a positioned consumer of the event stream with its offset in
``consumer_offsets`` (``nats:<stream>``). A step reads the events after the offset, publishes
each to ``<prefix>.<event type>`` with ``Nats-Msg-Id`` = the event's id, waits for each
acknowledgement and moves the offset to the last one acknowledged. When NATS is down the step
fails and the offset stays: the events go out when it is back. A crash between the
acknowledgement and the offset's commit publishes those events again under the same
``Nats-Msg-Id``, and JetStream drops them within its duplicate window.

One publisher at a time: on PostgreSQL the step holds its offset row (``SKIP LOCKED``: another
worker finds it taken and skips its turn) while it publishes. SQLite has no row locks and a
transaction there locks the whole database, so the step reads in one short transaction and
records progress in another; two workers on one SQLite file may publish an event twice, which
the ``Nats-Msg-Id`` makes harmless."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.eventbus import EventBus, EventBusError, NatsEventBus
from app.domain.stream import subject_for
from app.repositories.events import OutboxEvent
from app.repositories.outbox import OutboxRepository
from app.services.stream import envelope
from app.settings import Settings
from app.worker.jobs import WorkerContext

log = logging.getLogger(__name__)


def consumer_name(settings: Settings) -> str:
    return f"nats:{settings.nats_stream}"


def publishing_enabled(settings: Settings) -> bool:
    """Only with LADING_NATS_URL."""
    return bool(settings.nats_url)


async def _publish(
    bus: EventBus, events: Sequence[OutboxEvent], prefix: str
) -> tuple[int | None, EventBusError | None]:
    """Publish in order until one fails: the last position acknowledged, and the failure."""
    done: int | None = None
    for event in events:
        body = json.dumps(envelope(event), ensure_ascii=False, separators=(",", ":"))
        headers = {"Lading-Position": str(event.position)}
        try:
            await bus.publish(
                subject_for(prefix, event.event_type),
                body.encode(),
                msg_id=str(event.id),
                headers=headers,
            )
        except EventBusError as exc:
            return done, exc
        done = event.position
    return done, None


async def publish_once(
    sessionmaker: async_sessionmaker[AsyncSession], bus: EventBus, settings: Settings
) -> int:
    """Publish the next batch; how many events were acknowledged. Raises ``EventBusError``
    (after recording what went out) when the bus failed."""
    consumer = consumer_name(settings)
    async with sessionmaker() as session:
        repo = OutboxRepository(session)
        if await repo.offset(consumer) is None:
            # Created in a transaction of its own: a row this transaction inserted would make
            # a second publisher wait for its commit instead of skipping the locked row.
            await repo.ensure_offset(consumer, 0)
            await session.commit()
        position = await repo.offset(consumer, lock=True)
        if position is None:  # another publisher holds the offset
            return 0
        events = await repo.after(position, settings.nats_batch_size)
        if not events:
            await session.commit()
            return 0
        holds_lock = session.bind.dialect.name == "postgresql"
        if not holds_lock:
            await session.commit()
        done, error = await _publish(bus, events, settings.nats_subject_prefix)
        if holds_lock:
            await _advance(session, consumer, done)
    if not holds_lock:
        async with sessionmaker() as session:
            await _advance(session, consumer, done)
    if error is not None:
        raise error
    return len(events)


async def _advance(session: AsyncSession, consumer: str, position: int | None) -> None:
    if position is not None:
        await OutboxRepository(session).advance(consumer, position)
    await session.commit()


class NatsPublisher:
    """The worker job's step: keeps one connection (``connect`` builds it; tests pass their
    own) and creates the stream before the first publish on it."""

    def __init__(self, connect: Callable[[Settings], EventBus] | None = None) -> None:
        self._connect = connect or _nats_bus
        self._bus: EventBus | None = None

    async def __call__(self, ctx: WorkerContext) -> bool:
        settings = ctx.settings
        if self._bus is None:
            bus = self._connect(settings)
            prefix = settings.nats_subject_prefix
            try:
                await bus.ensure_stream(settings.nats_stream, [f"{prefix}.>"])
            except EventBusError:
                await bus.close()
                raise
            self._bus = bus
        try:
            published = await publish_once(ctx.sessionmaker, self._bus, settings)
        except EventBusError:
            bus, self._bus = self._bus, None
            await bus.close()
            raise
        return published >= settings.nats_batch_size

    async def close(self) -> None:
        if self._bus is not None:
            await self._bus.close()
            self._bus = None


def _nats_bus(settings: Settings) -> EventBus:
    assert settings.nats_url is not None
    return NatsEventBus(settings.nats_url, timeout=settings.nats_timeout_seconds)
