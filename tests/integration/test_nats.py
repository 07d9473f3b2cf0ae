"""Events onto NATS JetStream, against the real server with JetStream at 127.0.0.1:4222 (which
``.ci/run`` starts): every routed event in position order to ``<prefix>.<event type>`` with
``Nats-Msg-Id`` = the event id, checked with a JetStream consumer; duplicates dropped; a restart
resumes at the offset; NATS down means the events wait. Each test has a stream and subject
prefix of its own and deletes its stream. Without a server the tests skip, but fail in CI."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import nats
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.eventbus import EventBusError, NatsEventBus
from app.repositories.events import OutboxEvent
from app.repositories.outbox import OutboxRepository
from app.services.stream import envelope
from app.settings import Settings
from app.worker.jobs import WorkerContext
from app.worker.publishing import NatsPublisher, consumer_name, publish_once, publishing_enabled
from app.worker.routing import route_once
from app.worker.schedule import JOBS, ROUTES
from tests.conftest import IN_CI
from tests.factories import make_customer, make_product

NATS_URL = "nats://127.0.0.1:4222"


def _nats_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
async def jetstream(settings: Settings) -> AsyncIterator[Settings]:
    """Settings for a stream and subject prefix of this test's own, on the real server; the
    stream is deleted afterwards."""
    if not _nats_listening():
        if IN_CI:
            pytest.fail(f"CI=true but NATS is unreachable at {NATS_URL}", pytrace=False)
        pytest.skip("NATS with JetStream is not running at 127.0.0.1:4222")
    token = uuid.uuid4().hex[:10]
    ours = settings.model_copy(
        update={
            "nats_url": NATS_URL,
            "nats_stream": f"LT_{token}",
            "nats_subject_prefix": f"lt{token}",
        }
    )
    yield ours
    client = await nats.connect(NATS_URL)
    try:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await client.jetstream().delete_stream(ours.nats_stream)
    finally:
        await client.close()


@pytest.fixture
async def contexts(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[Any]:
    """``ctx(settings)``: a worker context on the test's database."""
    async with httpx.AsyncClient() as http:

        def ctx(settings: Settings) -> WorkerContext:
            return WorkerContext(sessionmaker, settings, http, http)

        yield ctx


async def add_routed(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, types: Sequence[str]
) -> list[OutboxEvent]:
    """Outbox events of these types, routed onto the stream; in position order."""
    ids = []
    async with sessionmaker() as session:
        for n, kind in enumerate(types):
            event = OutboxEvent(
                event_type=kind,
                aggregate_type=kind.split(".")[0],
                aggregate_id=f"agg-{uuid.uuid4().hex[:8]}",
                payload={"n": n, "name": "上海仓"},
                created_at=datetime.now(UTC) + timedelta(microseconds=n),
            )
            session.add(event)
            await session.flush()
            ids.append(event.id)
        await session.commit()
    while await route_once(sessionmaker, settings, ROUTES):
        pass
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent).where(OutboxEvent.id.in_(ids)).order_by(OutboxEvent.position)
        )
        return list(rows)


async def all_routed(sessionmaker: async_sessionmaker[AsyncSession]) -> list[OutboxEvent]:
    async with sessionmaker() as session:
        return await OutboxRepository(session).after(0, 10_000)


async def offset(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int | None:
    async with sessionmaker() as session:
        return await OutboxRepository(session).offset(consumer_name(settings))


async def messages(settings: Settings) -> list[Any]:
    """Every message of the test's stream, in stream order, through a pull consumer."""
    client = await nats.connect(NATS_URL)
    try:
        js = client.jetstream()
        info = await js.stream_info(settings.nats_stream)
        count = info.state.messages
        if count == 0:
            return []
        sub = await js.pull_subscribe(
            f"{settings.nats_subject_prefix}.>", stream=settings.nats_stream
        )
        got: list[Any] = []
        while len(got) < count:
            batch = await sub.fetch(count - len(got), timeout=5)
            for msg in batch:
                await msg.ack()
            got += batch
        return got
    finally:
        await client.close()


async def run_until_idle(publisher: NatsPublisher, ctx: WorkerContext) -> None:
    while await publisher(ctx):
        pass


async def test_every_routed_event_goes_out_in_order_with_its_id(
    sessionmaker, jetstream: Settings, contexts: Any
) -> None:
    await add_routed(
        sessionmaker, jetstream, ["order.created", "shipment.created", "invoice.issued"]
    )
    events = await all_routed(sessionmaker)
    publisher = NatsPublisher()
    try:
        await run_until_idle(publisher, contexts(jetstream))
    finally:
        await publisher.close()
    got = await messages(jetstream)
    prefix = jetstream.nats_subject_prefix
    assert [m.subject for m in got] == [f"{prefix}.{e.event_type}" for e in events]
    assert [m.headers["Nats-Msg-Id"] for m in got] == [str(e.id) for e in events]
    assert [json.loads(m.data) for m in got] == [envelope(e) for e in events]
    assert [int(m.headers["Lading-Position"]) for m in got] == [e.position for e in events]
    assert await offset(sessionmaker, jetstream) == events[-1].position


async def test_an_order_placed_through_the_api_reaches_jetstream(
    client, auth, sessionmaker, jetstream: Settings, contexts: Any
) -> None:
    sku, code = f"NT-{uuid.uuid4().hex[:6]}", f"NT-C-{uuid.uuid4().hex[:6]}"
    await make_product(sessionmaker, sku)
    await make_customer(sessionmaker, code)
    body = {
        "channel": "manual",
        "customer": {"code": code},
        "lines": [{"sku": sku, "quantity": "1"}],
    }
    response = await client.post("/api/v1/orders", json=body, headers=await auth.as_role("sales"))
    assert response.status_code == 201, response.text
    order_id = response.json()["id"]
    while await route_once(sessionmaker, jetstream, ROUTES):
        pass
    publisher = NatsPublisher()
    try:
        await run_until_idle(publisher, contexts(jetstream))
    finally:
        await publisher.close()
    ours = [json.loads(m.data) for m in await messages(jetstream)]
    created = [m for m in ours if m["aggregate_id"] == order_id]
    assert [m["type"] for m in created][:1] == ["order.created"]
    assert created[0]["payload"]["number"] == response.json()["number"]


async def test_the_same_event_published_twice_is_stored_once(
    sessionmaker, jetstream: Settings, contexts: Any
) -> None:
    await add_routed(sessionmaker, jetstream, ["order.created", "order.approved"])
    publisher = NatsPublisher()
    try:
        await run_until_idle(publisher, contexts(jetstream))
        # As after a crash between the acknowledgements and the offset's commit.
        async with sessionmaker() as session:
            await OutboxRepository(session).advance(consumer_name(jetstream), 0)
            await session.commit()
        await run_until_idle(publisher, contexts(jetstream))
    finally:
        await publisher.close()
    events = await all_routed(sessionmaker)
    got = await messages(jetstream)
    assert [m.headers["Nats-Msg-Id"] for m in got] == [str(e.id) for e in events]
    bus = NatsEventBus(NATS_URL, timeout=5)
    try:
        subject = f"{jetstream.nats_subject_prefix}.order.created"
        assert await bus.publish(subject, b"{}", msg_id=str(events[0].id), headers={}) is False
        assert await bus.publish(subject, b"{}", msg_id=str(uuid.uuid4()), headers={}) is True
    finally:
        await bus.close()


class Counting:
    """A real bus that remembers the message ids it was given."""

    def __init__(self, settings: Settings) -> None:
        self.inner = NatsEventBus(NATS_URL, timeout=5)
        self.ids: list[str] = []

    async def ensure_stream(self, name: str, subjects: Sequence[str]) -> None:
        await self.inner.ensure_stream(name, subjects)

    async def publish(self, subject: str, body: bytes, *, msg_id: str, headers: Any) -> bool:
        self.ids.append(msg_id)
        return await self.inner.publish(subject, body, msg_id=msg_id, headers=headers)

    async def close(self) -> None:
        await self.inner.close()


async def test_a_restarted_publisher_resumes_where_it_stopped(
    sessionmaker, jetstream: Settings, contexts: Any
) -> None:
    settings = jetstream.model_copy(update={"nats_batch_size": 2})
    await add_routed(sessionmaker, settings, [f"order.e{n}" for n in range(5)])
    events = await all_routed(sessionmaker)
    first_run: list[Counting] = []
    first = NatsPublisher(lambda s: first_run.append(Counting(s)) or first_run[-1])
    assert await first(contexts(settings)) is True  # one full batch, more waiting
    await first.close()  # the worker stops
    assert await offset(sessionmaker, settings) == events[1].position
    second_run: list[Counting] = []
    second = NatsPublisher(lambda s: second_run.append(Counting(s)) or second_run[-1])
    try:
        await run_until_idle(second, contexts(settings))
    finally:
        await second.close()
    assert first_run[0].ids == [str(e.id) for e in events[:2]]
    assert second_run[0].ids == [str(e.id) for e in events[2:]]  # nothing sent again
    got = await messages(settings)
    assert [m.headers["Nats-Msg-Id"] for m in got] == [str(e.id) for e in events]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_events_wait_while_nats_is_down_and_go_out_when_it_returns(
    sessionmaker, jetstream: Settings, contexts: Any
) -> None:
    await add_routed(sessionmaker, jetstream, ["order.created", "order.cancelled"])
    events = await all_routed(sessionmaker)
    down = jetstream.model_copy(
        update={"nats_url": f"nats://127.0.0.1:{_free_port()}", "nats_timeout_seconds": 1.0}
    )
    publisher = NatsPublisher()
    try:
        for _ in range(2):
            with pytest.raises(EventBusError):
                await publisher(contexts(down))
        assert await offset(sessionmaker, jetstream) in (None, 0)
        await run_until_idle(publisher, contexts(jetstream))  # NATS is back
    finally:
        await publisher.close()
    got = await messages(jetstream)
    assert [m.headers["Nats-Msg-Id"] for m in got] == [str(e.id) for e in events]
    assert await offset(sessionmaker, jetstream) == events[-1].position


class FlakyBus:
    """A fake bus that fails on the message ids it is told to, once each."""

    def __init__(self, fail_once: set[str]) -> None:
        self.fail_once = set(fail_once)
        self.sent: list[str] = []

    async def ensure_stream(self, name: str, subjects: Sequence[str]) -> None:
        pass

    async def publish(self, subject: str, body: bytes, *, msg_id: str, headers: Any) -> bool:
        if msg_id in self.fail_once:
            self.fail_once.discard(msg_id)
            raise EventBusError("no acknowledgement")
        self.sent.append(msg_id)
        return True

    async def close(self) -> None:
        pass


async def test_a_failure_half_way_keeps_what_was_acknowledged(sessionmaker, settings) -> None:
    settings = settings.model_copy(update={"nats_stream": f"F{uuid.uuid4().hex[:8]}"})
    await add_routed(sessionmaker, settings, ["order.created", "order.approved", "order.held"])
    events = await all_routed(sessionmaker)
    bus = FlakyBus({str(events[1].id)})
    with pytest.raises(EventBusError):
        await publish_once(sessionmaker, bus, settings)
    assert await offset(sessionmaker, settings) == events[0].position
    assert await publish_once(sessionmaker, bus, settings) == 2
    assert bus.sent == [str(e.id) for e in events]
    assert await offset(sessionmaker, settings) == events[-1].position
    assert await publish_once(sessionmaker, bus, settings) == 0


def test_the_job_runs_only_with_a_nats_url(settings) -> None:
    (job,) = [j for j in JOBS if j.name == "publish_nats"]
    assert not job.enabled(settings)
    assert not publishing_enabled(settings.model_copy(update={"nats_url": ""}))
    assert job.enabled(settings.model_copy(update={"nats_url": NATS_URL}))


class GatedBus(FlakyBus):
    """Holds its first publish until released."""

    def __init__(self) -> None:
        super().__init__(set())
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def publish(self, subject: str, body: bytes, *, msg_id: str, headers: Any) -> bool:
        self.entered.set()
        await self.release.wait()
        return await super().publish(subject, body, msg_id=msg_id, headers=headers)


@pytest.mark.postgres_only
async def test_one_publisher_at_a_time_on_postgresql(pg_engine, pg_committed_url) -> None:
    from app.db import create_sessionmaker
    from tests.conftest import make_settings

    settings = make_settings(pg_committed_url, nats_stream=f"P{uuid.uuid4().hex[:8]}")
    sessions = create_sessionmaker(pg_engine)
    await add_routed(sessions, settings, ["order.created"])
    holder, other = GatedBus(), FlakyBus(set())
    first = asyncio.create_task(publish_once(sessions, holder, settings))
    async with asyncio.timeout(30):
        await holder.entered.wait()
    assert await publish_once(sessions, other, settings) == 0  # the offset row is taken
    assert other.sent == []
    holder.release.set()
    assert await first > 0
    while await publish_once(sessions, other, settings):
        pass  # the rest of the shared database's events
    async with sessions() as session:
        last = await OutboxRepository(session).last_position()
    assert await offset(sessions, settings) == last
    sent = holder.sent + other.sent
    assert len(sent) == len(set(sent))  # nothing published twice


async def test_the_worker_publishes_with_the_schedules_job(
    sessionmaker, jetstream: Settings
) -> None:
    """The job of ``app.worker.schedule`` in the worker's own loop (as ``lading worker`` and
    the embedded worker run it) sends what was routed."""
    from app.worker import dispatcher
    from app.worker.jobs import Job

    await add_routed(sessionmaker, jetstream, ["order.created", "order.allocated"])
    events = await all_routed(sessionmaker)
    (job,) = [j for j in JOBS if j.name == "publish_nats"]
    stepped = asyncio.Event()

    async def step(ctx: WorkerContext) -> bool:
        try:
            return await job.step(ctx)
        finally:
            stepped.set()

    watched = Job(job.name, step, job.every, job.enabled)
    task = asyncio.create_task(dispatcher.run_forever(sessionmaker, jetstream, jobs=[watched]))
    try:
        async with asyncio.timeout(30):
            await stepped.wait()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await job.step.close()  # type: ignore[attr-defined]
    assert await offset(sessionmaker, jetstream) == events[-1].position
    got = await messages(jetstream)
    assert [m.headers["Nats-Msg-Id"] for m in got] == [str(e.id) for e in events]
