"""Several webhook senders at once (PostgreSQL): two workers never send one delivery twice
(SKIP LOCKED); a real worker process killed with SIGKILL mid-batch loses nothing, repeats
only under the same webhook-id, and a new worker resumes once the short lease runs out."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker
from standardwebhooks import Webhook

from app import migrate
from app.db import create_engine
from app.repositories.webhooks import WebhookDelivery, WebhookEndpoint
from app.worker.webhooks import deliver_once
from tests.conftest import create_postgres_database, drop_postgres_database, make_settings
from tests.integration.webhook_support import (
    Receiver,
    deliveries_of,
    make_endpoint,
    outbox_event,
    routed,
)
from tests.support import served_on_loopback

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres_only


async def test_two_workers_at_once_never_send_a_delivery_twice(pg_engine, pg_committed_url) -> None:
    maker = async_sessionmaker(pg_engine, expire_on_commit=False)
    settings = make_settings(pg_committed_url, dispatcher_batch_size=5)
    url = f"https://hooks-{secrets.token_hex(4)}.example/in"
    endpoint = await make_endpoint(maker, url=url)
    await routed(maker, settings, [outbox_event() for _ in range(40)])

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.005)  # let the other worker claim meanwhile
        return httpx.Response(204)

    seen: list[list[str]] = [[], []]

    async def worker(index: int) -> None:
        async def handler(request: httpx.Request) -> httpx.Response:
            if str(request.url) == url:
                seen[index].append(request.headers["webhook-id"])
            return await slow(request)

        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            for _ in range(100):
                if not await deliver_once(maker, http, settings):
                    return

    try:
        await asyncio.gather(worker(0), worker(1))
        sent = seen[0] + seen[1]
        assert len(sent) == 40 and len(set(sent)) == 40  # each once, none twice
        rows = await deliveries_of(maker, endpoint.id)
        assert {r.status for r in rows} == {"delivered"} and {r.attempts for r in rows} == {1}
    finally:
        async with maker() as session:
            row = await session.get(WebhookEndpoint, endpoint.id)
            assert row is not None
            row.active = False  # leave nothing due for other tests of this database
            await session.commit()


@pytest.fixture
def own_database() -> object:
    """A fresh PostgreSQL database: the worker process runs every job on it."""
    url = create_postgres_database("lading_whkill")
    try:
        migrate.upgrade(url)
        yield url
    finally:
        drop_postgres_database(url)


def _worker(url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LADING_DATABASE_URL": url,
        "LADING_ENVIRONMENT": "test",
        "LADING_SECRET_KEY": secrets.token_urlsafe(40),
        "LADING_DISPATCHER_LEASE_SECONDS": "2",
        "LADING_WEBHOOK_TIMEOUT_SECONDS": "1",
        "LADING_DISPATCHER_INTERVAL_SECONDS": "0.1",
        "LADING_DISPATCHER_BATCH_SIZE": "10",
        "LADING_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _wait_for(condition) -> None:
    """Poll ``condition`` (the database or the receiver, written by another process) until
    it holds; the caller bounds the wait with ``asyncio.timeout``."""
    while not await condition():  # noqa: ASYNC110 - the state is in another process
        await asyncio.sleep(0.05)


async def test_a_worker_killed_mid_batch_loses_nothing_and_another_resumes(own_database) -> None:
    url = str(own_database)
    engine = create_engine(url)
    maker = async_sessionmaker(engine, expire_on_commit=False)
    # a slow receiver, that holds the fifth POST long enough for the kill to land during it
    receiver = Receiver(answer=lambda headers, index: (200, 5.0 if index == 4 else 0.1))
    count = 25
    try:
        async with served_on_loopback(receiver) as base:
            endpoint = await make_endpoint(maker, url=f"{base}/hook")
            async with maker() as session:  # committed events the worker routes itself
                events = [outbox_event() for _ in range(count)]
                session.add_all(events)
                await session.commit()
            first = _worker(url)
            try:
                async with asyncio.timeout(60):
                    await _wait_for(lambda: _received(receiver, 5))
            finally:
                first.send_signal(signal.SIGKILL)  # while the fifth POST is being answered
                first.wait(10)
            killed_at = len(receiver.received)
            async with maker() as session:
                pending = await session.scalar(
                    select(func.count())
                    .select_from(WebhookDelivery)
                    .where(WebhookDelivery.status == "pending")
                )
            assert pending and pending > 0  # the kill left work behind
            second = _worker(url)
            try:
                async with asyncio.timeout(60):
                    await _wait_for(lambda: _all_delivered(maker, endpoint.id, count))
            finally:
                second.send_signal(signal.SIGTERM)
                second.wait(10)
        assert len(receiver.received) >= count and killed_at < count
        by_id: dict[str, set[str]] = defaultdict(set)
        for headers, body in receiver.received:
            Webhook(endpoint.secret).verify(body, headers)
            by_id[headers["webhook-id"]].add(json.loads(body)["id"])
        # every event arrived, and a repeat (the POST in flight at the kill) only under the
        # webhook-id it had: one event per id, one id per event
        assert sorted(e for ids in by_id.values() for e in ids) == sorted(str(e.id) for e in events)
        assert all(len(ids) == 1 for ids in by_id.values())
        in_flight = receiver.received[4][0]["webhook-id"]
        repeats = [h["webhook-id"] for h, _ in receiver.received].count(in_flight)
        assert repeats == 2  # the POST the kill interrupted went again, under its id
    finally:
        await engine.dispose()


async def _received(receiver: Receiver, n: int) -> bool:
    return len(receiver.received) >= n


async def _all_delivered(maker, endpoint_id, count: int) -> bool:
    rows = await deliveries_of(maker, endpoint_id)
    return len(rows) == count and all(r.status == "delivered" for r in rows)
