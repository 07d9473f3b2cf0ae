"""The live stream (GET /api/v1/stream) over real HTTP: uvicorn on a loopback port, because
httpx's ASGITransport hands a response over only once it is complete. Each engine gets a
committed database (the application's polls and the test's writes are separate connections);
on PostgreSQL it is the shared one, so tests look only at the orders and customers they made."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app import migrate
from app.db import create_engine, create_sessionmaker
from app.main import create_app
from app.repositories.events import OutboxEvent
from app.settings import Settings
from app.worker.routing import route_once
from app.worker.schedule import ROUTES
from tests.conftest import make_settings
from tests.factories import make_customer, make_product
from tests.support import Auth, assert_problem, served_on_loopback

# A bound on waiting for what must come, so a broken stream fails instead of hanging.
PATIENCE = 30.0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def committed_url(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('stream') / 'stream.db'}"
        migrate.upgrade(url)
        yield url
        return
    yield request.getfixturevalue("pg_committed_url")


@pytest.fixture
def stream_settings(committed_url: str) -> Settings:
    return make_settings(
        committed_url,
        stream_poll_seconds=0.05,
        stream_heartbeat_seconds=60.0,
        stream_max_seconds=PATIENCE,
    )


@pytest.fixture
async def db(committed_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(committed_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[str]:
    """An application of its own (own engine) on a loopback port: its base URL."""
    engine: AsyncEngine = create_engine(settings.database_url)
    try:
        app = create_app(settings, sessionmaker=create_sessionmaker(engine))
        async with served_on_loopback(app) as base_url:
            yield base_url
    finally:
        await engine.dispose()


@dataclass
class Frame:
    id: int | None = None
    event: str | None = None
    data: dict[str, Any] | None = None
    comments: list[str] = field(default_factory=list)


class Reader:
    """Parses an open SSE response into frames (blank line = end of a frame)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.lines = response.aiter_lines()
        self.frames: list[Frame] = []

    async def next(self) -> Frame:
        frame = Frame()
        async with asyncio.timeout(PATIENCE):
            async for line in self.lines:
                if line == "":
                    self.frames.append(frame)
                    return frame
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "":
                    frame.comments.append(value)
                elif name == "id":
                    frame.id = int(value)
                elif name == "event":
                    frame.event = value
                elif name == "data":
                    frame.data = json.loads(value)
        raise EOFError("the stream ended")

    async def until(self, done: Callable[[Frame], bool]) -> list[Frame]:
        """Frames up to and including the first that is ``done``."""
        seen = []
        while True:
            frame = await self.next()
            seen.append(frame)
            if done(frame):
                return seen


@asynccontextmanager
async def stream(base_url: str, headers: dict[str, str], **params: Any) -> AsyncIterator[Reader]:
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=PATIENCE) as http,
        http.stream("GET", "/api/v1/stream", headers=headers, params=params) as r,
    ):
        assert r.status_code == 200, await r.aread()
        assert r.headers["content-type"].startswith("text/event-stream")
        reader = Reader(r)
        first = await reader.next()  # sent once the start position is fixed
        assert first.id is None and first.event is None
        yield reader


@dataclass
class World:
    base_url: str
    db: async_sessionmaker[AsyncSession]
    settings: Settings
    auth: Auth
    sku: str
    customer: str

    async def place_order(self, headers: dict[str, str]) -> str:
        body = {
            "channel": "manual",
            "customer": {"code": self.customer},
            "lines": [{"sku": self.sku, "quantity": "2"}],
        }
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            response = await http.post("/api/v1/orders", json=body, headers=headers)
        assert response.status_code == 201, response.text
        order_id: str = response.json()["id"]
        return order_id

    async def post(self, path: str, headers: dict[str, str], body: Any = None) -> Any:
        async with httpx.AsyncClient(base_url=self.base_url) as http:
            response = await http.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return response.json()

    async def route(self) -> None:
        while await route_once(self.db, self.settings, ROUTES):
            pass

    async def events_of(self, aggregate_ids: set[str], after: int) -> list[tuple[int, str]]:
        async with self.db() as session:
            rows = await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.aggregate_id.in_(aggregate_ids), OutboxEvent.position > after)
                .order_by(OutboxEvent.position)
            )
            return [(e.position or 0, e.aggregate_id) for e in rows]


@pytest.fixture
async def world(
    stream_settings: Settings, db: async_sessionmaker[AsyncSession]
) -> AsyncIterator[World]:
    unique = uuid.uuid4().hex[:8]
    sku, customer = f"ST-{unique}", f"ST-C-{unique}"
    await make_product(db, sku)
    await make_customer(db, customer)
    async with serve(stream_settings) as base_url:
        yield World(base_url, db, stream_settings, Auth(None, db, stream_settings), sku, customer)


def _ours(frames: list[Frame], ids: set[str]) -> list[Frame]:
    return [f for f in frames if f.data is not None and f.data["aggregate_id"] in ids]


async def test_a_signed_in_client_sees_an_orders_changes_as_they_are_routed(world: World) -> None:
    sales = await world.auth.as_role("sales")
    async with stream(world.base_url, sales) as reader:
        order_id = await world.place_order(sales)
        await world.route()
        frames = await reader.until(
            lambda f: f.data is not None and f.data["aggregate_id"] == order_id
        )
        created = frames[-1]
        assert created.event == "order.created"
        assert created.data is not None
        assert set(created.data) == {
            "id",
            "type",
            "aggregate_type",
            "aggregate_id",
            "occurred_at",
            "payload",
        }
        assert created.data["type"] == "order.created"
        assert created.data["aggregate_type"] == "order"
        assert created.data["occurred_at"].endswith("Z")
        uuid.UUID(created.data["id"])
        # The next change appears once it is routed, after the first.
        await world.post(f"/api/v1/orders/{order_id}/submit", sales)
        await world.route()
        later = await reader.until(
            lambda f: f.event == "order.submitted" and _ours([f], {order_id}) != []
        )
        assert later[-1].id is not None and created.id is not None
        assert later[-1].id > created.id


async def test_last_event_id_resumes_without_loss_or_repeats(world: World) -> None:
    sales = await world.auth.as_role("sales")
    async with stream(world.base_url, sales) as reader:
        first, second = await world.place_order(sales), await world.place_order(sales)
        await world.route()
        seen = await reader.until(lambda f: _ours([f], {first}) != [])
        resume_at = seen[-1].id
        assert resume_at is not None
    third = await world.place_order(sales)  # while no stream is open
    await world.route()
    ours = {first, second, third}
    expected = await world.events_of(ours, resume_at)
    assert [agg for _, agg in expected][-1] == third
    async with stream(world.base_url, {**sales, "Last-Event-ID": str(resume_at)}) as reader:
        frames = await reader.until(lambda f: f.id == expected[-1][0])
    got = [(f.id, f.data["aggregate_id"]) for f in _ours(frames, ours) if f.data]
    assert got == expected  # every event after the id, once, in order; none before it


async def test_a_caller_without_orders_read_sees_no_order_events(world: World) -> None:
    sales = await world.auth.as_role("sales")
    key = await world.auth.with_scopes("customers:read")
    async with stream(world.base_url, key) as reader:
        order_id = await world.place_order(sales)
        code = f"SC-{uuid.uuid4().hex[:8]}"
        customer = await world.post(
            "/api/v1/customers", sales, {"code": code, "name": "杭州客户", "currency": "CNY"}
        )
        await world.route()
        frames = await reader.until(lambda f: _ours([f], {customer["id"]}) != [])
    assert frames[-1].event == "customer.created"
    assert _ours(frames, {order_id}) == []
    assert all(f.event is None or f.event.startswith("customer.") for f in frames)
    # The order's events were there before the customer's: they were passed, not waited for.
    (order_position, _), *_ = await world.events_of({order_id}, 0)
    assert frames[-1].id is not None and order_position < frames[-1].id


async def test_events_routed_through_one_instance_appear_on_anothers_stream(
    world: World, stream_settings: Settings
) -> None:
    sales = await world.auth.as_role("sales")
    async with serve(stream_settings) as other_url, stream(other_url, sales) as reader:
        order_id = await world.place_order(sales)  # through the first instance
        await world.route()
        frames = await reader.until(lambda f: _ours([f], {order_id}) != [])
    assert frames[-1].event == "order.created"


async def test_heartbeats_keep_a_quiet_stream_alive(
    stream_settings: Settings, db: async_sessionmaker[AsyncSession]
) -> None:
    settings = stream_settings.model_copy(update={"stream_heartbeat_seconds": 0.1})
    headers = await Auth(None, db, settings).as_role("viewer")
    async with serve(settings) as base_url, stream(base_url, headers) as reader:
        beats = await reader.until(lambda f: f.comments == ["heartbeat"])
    assert beats[-1].id is None and beats[-1].event is None


class Closings(logging.Handler):
    """The reasons of the ``stream.closed`` records, and an event set on each."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.reasons: list[str] = []
        self.closed = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "stream.closed":
            self.reasons.append(record.reason)
            self.closed.set()


@pytest.fixture
def closings() -> Iterator[Closings]:
    logger = logging.getLogger("app.services.stream")
    handler, level = Closings(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_the_stream_ends_after_max_seconds_and_when_the_client_leaves(
    world: World, closings: Closings
) -> None:
    viewer = await world.auth.as_role("viewer")
    async with stream(world.base_url, viewer, max_seconds=0.2) as reader:
        with pytest.raises(EOFError):
            await reader.until(lambda f: False)
    assert closings.reasons == ["max_seconds"]
    closings.reasons.clear()
    closings.closed.clear()
    async with stream(world.base_url, viewer) as reader:
        pass  # the client goes away at once
    async with asyncio.timeout(PATIENCE):
        await closings.closed.wait()
    assert closings.reasons == ["disconnected"]


async def test_credentials_and_bad_input_are_refused(world: World) -> None:
    viewer = await world.auth.as_role("viewer")
    async with httpx.AsyncClient(base_url=world.base_url) as http:
        assert_problem(await http.get("/api/v1/stream"), 401)
        bad_token = {"Authorization": "Bearer not-a-token"}
        assert_problem(await http.get("/api/v1/stream", headers=bad_token), 401)
        bad_id = {**viewer, "Last-Event-ID": "abc"}
        response = await http.get("/api/v1/stream", headers=bad_id)
        assert_problem(response, 422, field="last-event-id")
        too_long = await http.get(
            "/api/v1/stream", headers=viewer, params={"max_seconds": PATIENCE + 1}
        )
        assert_problem(too_long, 422, field="max_seconds")


async def test_an_id_the_stream_never_gave_starts_from_now(world: World) -> None:
    """A Last-Event-ID beyond the last position (say, from a database since restored) would
    wait for positions that may never come: the stream starts now instead."""
    sales = await world.auth.as_role("sales")
    async with stream(world.base_url, {**sales, "Last-Event-ID": str(10**15)}) as reader:
        order_id = await world.place_order(sales)
        await world.route()
        frames = await reader.until(lambda f: _ours([f], {order_id}) != [])
    assert frames[-1].event == "order.created"
