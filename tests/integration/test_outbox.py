"""The outbox dispatcher: events leave after commit, signed, retried with backoff, dead-lettered."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from app.adapters.notifiers.webhook import HttpWebhookNotifier
from app.adapters.outbound import GuardedTransport, OutboundGuard
from app.repositories.events import OutboxEvent
from app.settings import Settings
from app.worker.dispatcher import dispatch_once

SECRET = b"test-webhook-secret"


async def _add_event(sessionmaker, event_type: str = "warehouse.created") -> OutboxEvent:
    async with sessionmaker() as session:
        event = OutboxEvent(
            event_type=event_type,
            aggregate_type="warehouse",
            aggregate_id="w-1",
            payload={"code": "SH", "name": "上海"},
        )
        session.add(event)
        await session.commit()
    return event


async def _reload(sessionmaker, event_id) -> OutboxEvent:
    async with sessionmaker() as session:
        return (await session.scalars(select(OutboxEvent).where(OutboxEvent.id == event_id))).one()


def _notifier(handler) -> tuple[HttpWebhookNotifier, httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return HttpWebhookNotifier(client, "https://hooks.example/lading", SECRET), client


async def test_event_is_posted_signed_with_its_id_as_idempotency_key(sessionmaker) -> None:
    event = await _add_event(sessionmaker)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    notifier, client = _notifier(handler)
    async with client:
        sent = await dispatch_once(sessionmaker, notifier, batch_size=10, max_attempts=3)
    assert sent == 1
    (request,) = seen
    assert request.method == "POST" and str(request.url) == "https://hooks.example/lading"
    assert request.headers["idempotency-key"] == str(event.id)
    assert request.headers["x-lading-event-type"] == "warehouse.created"
    body = json.loads(request.content)
    assert body["id"] == str(event.id) and body["payload"]["name"] == "上海"
    timestamp, mac = (p.split("=", 1)[1] for p in request.headers["x-lading-signature"].split(","))
    expected = hmac.new(SECRET, timestamp.encode() + b"." + request.content, hashlib.sha256)
    assert hmac.compare_digest(mac, expected.hexdigest())
    stored = await _reload(sessionmaker, event.id)
    assert stored.status == "sent" and stored.attempts == 1 and stored.sent_at is not None
    # Nothing is sent twice.
    notifier2, client2 = _notifier(handler)
    async with client2:
        assert await dispatch_once(sessionmaker, notifier2, batch_size=10, max_attempts=3) == 0
    assert len(seen) == 1


async def test_failure_is_retried_later_with_backoff(sessionmaker) -> None:
    event = await _add_event(sessionmaker)
    notifier, client = _notifier(lambda request: httpx.Response(503))
    before = datetime.now(UTC)
    async with client:
        await dispatch_once(
            sessionmaker, notifier, batch_size=10, max_attempts=5, rand=random.Random(1)
        )
    stored = await _reload(sessionmaker, event.id)
    assert stored.status == "pending" and stored.attempts == 1
    assert "503" in (stored.last_error or "")
    # random.Random(1) draws 0.27 s of the first attempt's 2 s ceiling: due again later, not now.
    assert before + timedelta(seconds=0.2) < stored.available_at
    assert stored.available_at <= datetime.now(UTC) + timedelta(seconds=2)


async def test_timeouts_and_connection_errors_count_as_failures(sessionmaker) -> None:
    event = await _add_event(sessionmaker)

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow receiver", request=request)

    notifier, client = _notifier(handler)
    async with client:
        await dispatch_once(sessionmaker, notifier, batch_size=10, max_attempts=5)
    stored = await _reload(sessionmaker, event.id)
    assert stored.status == "pending" and "ReadTimeout" in (stored.last_error or "")


async def test_dead_letter_after_max_attempts(sessionmaker) -> None:
    event = await _add_event(sessionmaker)
    notifier, client = _notifier(lambda request: httpx.Response(500))
    async with client:
        for _ in range(3):
            async with sessionmaker() as session:
                row = await session.get(OutboxEvent, event.id)
                row.available_at = datetime.now(UTC) - timedelta(seconds=1)
                await session.commit()
            await dispatch_once(sessionmaker, notifier, batch_size=10, max_attempts=3)
    stored = await _reload(sessionmaker, event.id)
    assert stored.status == "dead" and stored.attempts == 3


async def test_a_claimed_event_is_leased_not_resent_by_a_second_worker(sessionmaker) -> None:
    from app.repositories.outbox import OutboxRepository

    event = await _add_event(sessionmaker)
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        claimed = await OutboxRepository(session).claim_due(now, 10, now + timedelta(minutes=5))
        await session.commit()
    assert [e.id for e in claimed] == [event.id]
    async with sessionmaker() as session:
        again = await OutboxRepository(session).claim_due(now, 10, now + timedelta(minutes=5))
    assert again == []


class _Recorder:
    """A notifier that records what it sends and can run a step before each send."""

    def __init__(self, before_send=None) -> None:
        self.sent: list[str] = []
        self.before_send = before_send

    async def send(self, event) -> None:
        if self.before_send is not None:
            await self.before_send(event, len(self.sent))
        self.sent.append(event.id)


async def test_a_dispatcher_killed_mid_batch_holds_the_rest_for_one_short_lease(
    sessionmaker,
) -> None:
    events = [await _add_event(sessionmaker) for _ in range(4)]

    async def die_on_the_second(event, index) -> None:
        if index == 1:
            raise asyncio.CancelledError  # the process is killed while sending

    killed = _Recorder(die_on_the_second)
    with pytest.raises(asyncio.CancelledError):
        await dispatch_once(sessionmaker, killed, batch_size=10, max_attempts=3)
    killed_at = datetime.now(UTC)
    rest = [await _reload(sessionmaker, e.id) for e in events[1:]]
    assert all(r.status == "pending" for r in rest)
    # Held back for one lease (30 s by default), not for minutes.
    assert all(r.available_at <= killed_at + timedelta(seconds=31) for r in rest)
    # Once the lease has run out another dispatcher delivers them.
    async with sessionmaker() as session:
        for r in rest:
            (await session.get(OutboxEvent, r.id)).available_at = datetime.now(UTC)
        await session.commit()
    short = _Recorder(die_on_the_second)
    with pytest.raises(asyncio.CancelledError):
        await dispatch_once(
            sessionmaker, short, batch_size=10, max_attempts=3, lease=timedelta(seconds=0.2)
        )
    await asyncio.sleep(0.3)
    survivor = _Recorder()
    assert await dispatch_once(sessionmaker, survivor, batch_size=10, max_attempts=3) == 2
    assert sorted(killed.sent + short.sent + survivor.sent) == sorted(str(e.id) for e in events)


async def test_the_lease_is_renewed_while_the_batch_is_sent(sessionmaker) -> None:
    events = [await _add_event(sessionmaker) for _ in range(3)]
    leases: list[datetime] = []

    async def look_at_the_last(event, index) -> None:
        leases.append((await _reload(sessionmaker, events[-1].id)).available_at)

    notifier = _Recorder(look_at_the_last)
    assert await dispatch_once(sessionmaker, notifier, batch_size=10, max_attempts=3) == 3
    first, second, third = leases
    assert first < second < third


async def test_an_event_whose_lease_was_taken_over_is_left_to_the_other_worker(
    sessionmaker,
) -> None:
    events = [await _add_event(sessionmaker) for _ in range(2)]

    async def another_worker_takes_the_second(event, index) -> None:
        if index == 0:
            async with sessionmaker() as session:
                row = await session.get(OutboxEvent, events[1].id)
                row.available_at = datetime.now(UTC) + timedelta(minutes=1)
                await session.commit()

    notifier = _Recorder(another_worker_takes_the_second)
    assert await dispatch_once(sessionmaker, notifier, batch_size=10, max_attempts=3) == 1
    assert notifier.sent == [str(events[0].id)]
    assert (await _reload(sessionmaker, events[1].id)).status == "pending"


async def test_a_webhook_url_now_resolving_privately_is_not_delivered_to(sessionmaker) -> None:
    """The URL passed the settings check (a name is not resolved then); each delivery
    resolves it again, and refuses a private address before sending anything."""
    event = await _add_event(sessionmaker)
    seen: list[httpx.Request] = []

    async def resolve(host: str) -> list[str]:
        return ["10.0.0.9"] if host == "hooks.example" else []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    guard = OutboundGuard(Settings(_env_file=None).outbound_policy, resolve)  # type: ignore[call-arg]
    client = httpx.AsyncClient(transport=GuardedTransport(guard, httpx.MockTransport(handler)))
    notifier = HttpWebhookNotifier(client, "https://hooks.example/lading", SECRET)
    async with client:
        await dispatch_once(sessionmaker, notifier, batch_size=10, max_attempts=3)
    assert seen == []
    stored = await _reload(sessionmaker, event.id)
    assert stored.status != "sent" and "private address" in (stored.last_error or "")
