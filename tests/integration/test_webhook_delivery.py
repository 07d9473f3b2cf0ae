"""Delivering outbound webhooks: signed after the Standard Webhooks specification (verified with
the ``standardwebhooks`` library), retried with back-off, logged, ordered per order, leased like
the old dispatcher; 410 and failing too long switch the endpoint off."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from standardwebhooks import Webhook

from app.adapters.outbound import GuardedTransport, OutboundGuard
from app.domain.webhooks import RETRY_SCHEDULE, webhook_id
from app.repositories.alerts import Alert
from app.repositories.events import OutboxEvent
from app.repositories.webhooks import WebhookDelivery, WebhookEndpoint
from app.worker.routing import route_once
from app.worker.webhooks import deliver_once, fan_out
from tests.integration.webhook_support import (
    Recorder,
    attempts_of,
    deliveries_of,
    delivery,
    make_due,
    make_endpoint,
    one_at_a_time,
    outbox_event,
    routed,
)


async def test_a_routed_event_reaches_each_matching_endpoint_signed(sessionmaker, settings) -> None:
    orders = await make_endpoint(sessionmaker, event_types=["order.*"])
    everything = await make_endpoint(sessionmaker, url="https://other.example/in")
    shipments = await make_endpoint(sessionmaker, event_types=["shipment.delivered"])
    async with sessionmaker() as session:
        event = outbox_event("order.placed", payload={"number": "SO-1", "城市": "上海"})
        session.add(event)
        await session.commit()
    assert await route_once(sessionmaker, settings, [fan_out]) == 1
    assert [
        len(await deliveries_of(sessionmaker, e.id)) for e in (orders, everything, shipments)
    ] == [1, 1, 0]
    recorder = Recorder()
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 2
    by_url = {str(r.url): r for r in recorder.requests}
    request = by_url["https://hooks.example/lading"]
    assert request.method == "POST" and request.headers["content-type"] == "application/json"
    document = Webhook(orders.secret).verify(request.content, dict(request.headers))
    assert document["id"] == str(event.id) and document["type"] == "order.placed"
    assert document["data"] == {"number": "SO-1", "城市": "上海"}
    assert document["subject"] == {"type": "order", "id": event.aggregate_id}
    (row,) = await deliveries_of(sessionmaker, orders.id)
    assert request.headers["webhook-id"] == webhook_id(row.id)
    assert row.status == "delivered" and row.attempts == 1 and row.delivered_at is not None
    # the other endpoint's copy is signed with its own secret, under its own id
    other = by_url["https://other.example/in"]
    Webhook(everything.secret).verify(other.content, dict(other.headers))
    assert other.headers["webhook-id"] != request.headers["webhook-id"]
    (attempt,) = await attempts_of(sessionmaker, row.id)
    assert attempt.status_code == 204 and attempt.duration_ms >= 0
    # nothing is sent twice
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 0
    assert len(recorder.requests) == 2


async def test_500_and_timeouts_are_retried_with_back_off_under_the_same_id(
    sessionmaker, settings
) -> None:
    endpoint = await make_endpoint(sessionmaker)
    await routed(sessionmaker, settings, [outbox_event()])
    (row,) = await deliveries_of(sessionmaker, endpoint.id)

    def answer(request: httpx.Request, index: int) -> httpx.Response:
        if index == 0:
            return httpx.Response(500, text="boom " * 1000)
        if index == 1:
            raise httpx.ReadTimeout("slow receiver", request=request)
        return httpx.Response(200)

    recorder = Recorder(answer)
    async with recorder.client() as http:
        before = datetime.now(UTC)
        await deliver_once(sessionmaker, http, settings, rand=random.Random(1))
        first = await delivery(sessionmaker, row.id)
        assert first.status == "pending" and first.attempts == 1 and first.last_status == "500"
        # the first retry waits about 5 s (±20 %), not now and not an hour
        assert before + RETRY_SCHEDULE[0] * 0.8 <= first.next_attempt_at
        assert first.next_attempt_at <= datetime.now(UTC) + RETRY_SCHEDULE[0] * 1.2
        assert await deliver_once(sessionmaker, http, settings) == 0  # not due yet
        await make_due(sessionmaker, row.id)
        await deliver_once(sessionmaker, http, settings, rand=random.Random(1))
        second = await delivery(sessionmaker, row.id)
        assert second.status == "pending" and "ReadTimeout" in (second.last_status or "")
        assert second.next_attempt_at >= datetime.now(UTC) + RETRY_SCHEDULE[1] * 0.8
        await make_due(sessionmaker, row.id)
        await deliver_once(sessionmaker, http, settings)
    assert (await delivery(sessionmaker, row.id)).status == "delivered"
    assert len({r.headers["webhook-id"] for r in recorder.requests}) == 1
    log = await attempts_of(sessionmaker, row.id)
    assert [a.status_code for a in log] == [500, None, 200]
    assert log[0].response_excerpt is not None and len(log[0].response_excerpt) == 1024
    assert "ReadTimeout" in (log[1].error or "")
    async with sessionmaker() as session:
        stored = await session.get(WebhookEndpoint, endpoint.id)
        assert stored is not None and stored.failing_since is None  # the success ended the run


async def test_a_delivery_is_dead_after_the_last_attempt(sessionmaker, settings) -> None:
    endpoint = await make_endpoint(sessionmaker)
    await routed(sessionmaker, settings, [outbox_event()])
    (row,) = await deliveries_of(sessionmaker, endpoint.id)
    recorder = Recorder(lambda request, index: httpx.Response(503))
    async with recorder.client() as http:
        for _ in range(len(RETRY_SCHEDULE) + 1):
            await make_due(sessionmaker, row.id)
            await deliver_once(sessionmaker, http, settings)
            async with sessionmaker() as session:  # keep the endpoint from being disabled
                stored = await session.get(WebhookEndpoint, endpoint.id)
                assert stored is not None
                stored.failing_since = None
                await session.commit()
    dead = await delivery(sessionmaker, row.id)
    assert dead.status == "dead" and dead.attempts == len(RETRY_SCHEDULE) + 1
    await make_due(sessionmaker, row.id)
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 0


async def _disabled_events(sessionmaker, endpoint_id) -> list[OutboxEvent]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.event_type == "endpoint.disabled",
                OutboxEvent.aggregate_id == str(endpoint_id),
            )
        )
        return list(rows.all())


async def test_410_gone_disables_the_endpoint_at_once(sessionmaker, settings) -> None:
    settings = one_at_a_time(settings)  # the test follows the batch's order
    endpoint = await make_endpoint(sessionmaker)
    await routed(sessionmaker, settings, [outbox_event(), outbox_event()])
    recorder = Recorder(lambda request, index: httpx.Response(410))
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 1  # the second is held back
    async with sessionmaker() as session:
        stored = await session.get(WebhookEndpoint, endpoint.id)
        assert stored is not None
        assert stored.active is False and stored.disabled_at is not None
        assert "410" in (stored.disabled_reason or "")
    (event,) = await _disabled_events(sessionmaker, endpoint.id)
    assert event.aggregate_type == "webhook_endpoint"
    assert event.payload["url"] == endpoint.url and "410" in event.payload["reason"]
    async with sessionmaker() as session:  # and the administrators' alert (a reaction)
        alerts = (
            await session.scalars(select(Alert).where(Alert.subject_id == str(endpoint.id)))
        ).all()
    assert [(a.rule, a.role, a.state) for a in alerts] == [
        ("webhook_endpoint_disabled", "admin", "open")
    ]
    rows = await deliveries_of(sessionmaker, endpoint.id)
    assert {r.status for r in rows} == {"pending"}  # kept for when it is switched back on
    await make_due(sessionmaker, *(r.id for r in rows))
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 0
    # new events no longer fan out to it
    await routed(sessionmaker, settings, [outbox_event()])
    assert len(await deliveries_of(sessionmaker, endpoint.id)) == 2


async def test_an_endpoint_failing_longer_than_the_setting_is_disabled(
    sessionmaker, settings
) -> None:
    endpoint = await make_endpoint(sessionmaker)
    await routed(sessionmaker, settings, [outbox_event()])
    (row,) = await deliveries_of(sessionmaker, endpoint.id)
    recorder = Recorder(lambda request, index: httpx.Response(500))
    async with recorder.client() as http:
        await deliver_once(sessionmaker, http, settings)
        async with sessionmaker() as session:
            stored = await session.get(WebhookEndpoint, endpoint.id)
            assert stored is not None and stored.active and stored.failing_since is not None
            # it has been failing for almost the allowed time
            hours = settings.webhook_disable_after_hours
            stored.failing_since = datetime.now(UTC) - timedelta(hours=hours, minutes=-1)
            await session.commit()
        await make_due(sessionmaker, row.id)
        await deliver_once(sessionmaker, http, settings)
        assert (await session_endpoint(sessionmaker, endpoint.id)).active
        assert await _disabled_events(sessionmaker, endpoint.id) == []
        async with sessionmaker() as session:
            stored = await session.get(WebhookEndpoint, endpoint.id)
            assert stored is not None
            stored.failing_since = datetime.now(UTC) - timedelta(hours=hours, minutes=1)
            await session.commit()
        await make_due(sessionmaker, row.id)
        await deliver_once(sessionmaker, http, settings)
    disabled = await session_endpoint(sessionmaker, endpoint.id)
    assert not disabled.active and "failed" in (disabled.disabled_reason or "")
    assert len(await _disabled_events(sessionmaker, endpoint.id)) == 1


async def session_endpoint(sessionmaker, endpoint_id) -> WebhookEndpoint:
    async with sessionmaker() as session:
        stored = await session.get(WebhookEndpoint, endpoint_id)
        assert stored is not None
        return stored


async def test_a_later_event_of_an_order_waits_for_the_earlier_one(sessionmaker, settings) -> None:
    settings = one_at_a_time(settings)  # the test follows the batch's order
    endpoint = await make_endpoint(sessionmaker)
    order = "8a0d1a0e-0000-4000-8000-000000000001"
    placed, shipped, other = await routed(
        sessionmaker,
        settings,
        [
            outbox_event("order.placed", aggregate_id=order),
            outbox_event(
                "shipment.confirmed", aggregate_type="shipment", payload={"order_id": order}
            ),
            outbox_event("order.placed"),
        ],
    )

    def answer(request: httpx.Request, index: int) -> httpx.Response:
        kind = json.loads(request.content)["id"]
        return httpx.Response(500 if kind == str(placed.id) and index == 0 else 204)

    recorder = Recorder(answer)
    async with recorder.client() as http:
        await deliver_once(sessionmaker, http, settings)
        sent = [json.loads(r.content)["id"] for r in recorder.requests]
        # the other order's event went; the shipment of the failed order did not
        assert sent == [str(placed.id), str(other.id)]
        by_event = {r.event_id: r for r in await deliveries_of(sessionmaker, endpoint.id)}
        await make_due(sessionmaker, by_event[shipped.id].id)
        await deliver_once(sessionmaker, http, settings)
        assert len(recorder.requests) == 2  # still waiting behind the retry
        await make_due(sessionmaker, by_event[placed.id].id)
        assert await deliver_once(sessionmaker, http, settings) == 1  # the earlier one
        assert await deliver_once(sessionmaker, http, settings) == 1  # now the later one
    sent = [json.loads(r.content)["id"] for r in recorder.requests]
    assert sent == [str(placed.id), str(other.id), str(placed.id), str(shipped.id)]


async def test_the_job_runs_again_at_once_while_an_orders_events_are_due(
    sessionmaker, settings
) -> None:
    """A batch takes one delivery per order, so an order's next event becomes due only after
    it: the job step asks to run again at once while it sent anything, instead of waiting an
    interval per event of the order."""
    from app.worker.jobs import WorkerContext
    from app.worker.webhooks import deliver_webhooks

    await make_endpoint(sessionmaker)
    order = "8a0d1a0e-0000-4000-8000-000000000002"
    events = await routed(
        sessionmaker,
        settings,
        [outbox_event(kind, aggregate_id=order) for kind in ("order.placed", "order.approved")],
    )
    recorder = Recorder()
    async with recorder.client() as http:
        ctx = WorkerContext(sessionmaker, settings, http, http)
        assert await deliver_webhooks(ctx) is True  # the first; the second is due now
        assert await deliver_webhooks(ctx) is True
        assert await deliver_webhooks(ctx) is False  # nothing was due: wait an interval
    assert [json.loads(r.content)["id"] for r in recorder.requests] == [str(e.id) for e in events]


async def test_a_dead_delivery_no_longer_holds_its_order_back(sessionmaker, settings) -> None:
    endpoint = await make_endpoint(sessionmaker)
    order = "8a0d1a0e-0000-4000-8000-000000000002"
    first, second = await routed(
        sessionmaker,
        settings,
        [outbox_event(aggregate_id=order), outbox_event("order.approved", aggregate_id=order)],
    )
    by_event = {r.event_id: r for r in await deliveries_of(sessionmaker, endpoint.id)}
    async with sessionmaker() as session:
        row = await session.get(WebhookDelivery, by_event[first.id].id)
        assert row is not None
        row.status = "dead"
        await session.commit()
    recorder = Recorder()
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 1
    assert json.loads(recorder.requests[0].content)["id"] == str(second.id)


async def test_the_lease_is_renewed_while_the_batch_is_sent(sessionmaker, settings) -> None:
    settings = one_at_a_time(settings)  # the test follows the batch's order
    endpoint = await make_endpoint(sessionmaker)
    await routed(sessionmaker, settings, [outbox_event() for _ in range(3)])
    rows = await deliveries_of(sessionmaker, endpoint.id)
    leases: list[datetime] = []

    async def look(request: httpx.Request) -> httpx.Response:
        last = await delivery(sessionmaker, rows[-1].id)
        leases.append(last.next_attempt_at)
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(look)) as http:
        assert await deliver_once(sessionmaker, http, settings) == 3
    first, second, third = leases
    assert first < second < third  # renewed after each settlement
    assert first > datetime.now(UTC) + timedelta(seconds=settings.dispatcher_lease_seconds / 2)


async def test_a_worker_killed_mid_batch_holds_the_rest_for_one_lease(
    sessionmaker, settings
) -> None:
    settings = one_at_a_time(settings)  # the test follows the batch's order
    endpoint = await make_endpoint(sessionmaker)
    await routed(sessionmaker, settings, [outbox_event() for _ in range(4)])

    def die_on_the_second(request: httpx.Request, index: int) -> httpx.Response:
        if index == 1:
            raise asyncio.CancelledError  # the process is killed while sending
        return httpx.Response(204)

    killed = Recorder(die_on_the_second)
    async with killed.client() as http:
        await deliver_once(sessionmaker, http, settings)  # its only sender dies
    killed_at = datetime.now(UTC)
    rows = await deliveries_of(sessionmaker, endpoint.id)
    rest = [r for r in rows if r.status == "pending"]
    assert len(rest) == 3
    lease = timedelta(seconds=settings.dispatcher_lease_seconds + 1)
    assert all(r.next_attempt_at <= killed_at + lease for r in rest)
    survivor = Recorder()
    async with survivor.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 0  # still leased
        await make_due(sessionmaker, *(r.id for r in rest))  # the lease ran out
        assert await deliver_once(sessionmaker, http, settings) == 3
    ids = [r.headers["webhook-id"] for r in killed.requests + survivor.requests]
    assert sorted(set(ids)) == sorted(webhook_id(r.id) for r in rows)
    # the one killed in flight went again under the same id
    assert killed.requests[1].headers["webhook-id"] in ids[2:]


async def test_a_delivery_whose_lease_was_taken_over_is_left_to_the_other_worker(
    sessionmaker, settings
) -> None:
    settings = one_at_a_time(settings)  # the test follows the batch's order
    endpoint = await make_endpoint(sessionmaker)
    await routed(sessionmaker, settings, [outbox_event(), outbox_event()])
    rows = await deliveries_of(sessionmaker, endpoint.id)

    async def another_worker_takes_the_rest(request: httpx.Request) -> httpx.Response:
        async with sessionmaker() as session:
            for row in rows:
                stored = await session.get(WebhookDelivery, row.id)
                assert stored is not None
                if stored.next_attempt_at > datetime.now(UTC):
                    stored.next_attempt_at = datetime.now(UTC) + timedelta(minutes=5)
            await session.commit()
        return httpx.Response(204)

    sent: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["webhook-id"])
        if len(sent) == 1:
            return await another_worker_takes_the_rest(request)
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        assert await deliver_once(sessionmaker, http, settings) == 1
    assert len(sent) == 1
    assert sorted(r.status for r in await deliveries_of(sessionmaker, endpoint.id)) == [
        "delivered",
        "pending",
    ]


async def test_an_endpoint_now_resolving_privately_is_not_delivered_to(
    sessionmaker, settings
) -> None:
    """The URL passed the check when it was saved; each delivery resolves it again and
    refuses a private address before sending anything."""
    endpoint = await make_endpoint(sessionmaker)
    await routed(sessionmaker, settings, [outbox_event()])

    async def resolve(host: str) -> list[str]:
        return ["10.0.0.9"] if host == "hooks.example" else []

    recorder = Recorder()
    guard = OutboundGuard(settings.outbound_policy, resolve)
    transport = GuardedTransport(guard, httpx.MockTransport(recorder))
    async with httpx.AsyncClient(transport=transport) as http:
        await deliver_once(sessionmaker, http, settings)
    assert recorder.requests == []
    (row,) = await deliveries_of(sessionmaker, endpoint.id)
    assert row.status == "pending" and "private address" in (row.last_status or "")


async def test_a_worker_sends_several_deliveries_at_once(sessionmaker, settings) -> None:
    """A slow receiver does not make every delivery wait for the one before: the worker has
    ``webhook_concurrency`` POSTs in flight (this receiver answers none until all are)."""
    endpoint = await make_endpoint(sessionmaker)
    several = settings.model_copy(update={"webhook_concurrency": 4})
    await routed(sessionmaker, several, [outbox_event() for _ in range(6)])
    in_flight, most = 0, 0
    all_there = asyncio.Event()

    async def receiver(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        if in_flight == 4:
            all_there.set()
        async with asyncio.timeout(10):
            await all_there.wait()
        in_flight -= 1
        return httpx.Response(204)

    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as http:
        assert await deliver_once(sessionmaker, http, several) == 6
    assert most == 4
    rows = await deliveries_of(sessionmaker, endpoint.id)
    assert {r.status for r in rows} == {"delivered"} and {r.attempts for r in rows} == {1}


async def test_the_log_is_purged_after_its_retention_and_replay_keeps_the_id(
    sessionmaker, settings
) -> None:
    from app.repositories.webhook_deliveries import WebhookDeliveryRepository
    from app.services.webhooks.replay import delivery_row

    endpoint = await make_endpoint(sessionmaker)
    old, recent, waiting = await routed(
        sessionmaker, settings, [outbox_event(), outbox_event(), outbox_event()]
    )
    by_event = {r.event_id: r for r in await deliveries_of(sessionmaker, endpoint.id)}
    recorder = Recorder(
        lambda request, index: httpx.Response(
            500 if json.loads(request.content)["id"] == str(waiting.id) else 204
        )
    )
    async with recorder.client() as http:
        assert await deliver_once(sessionmaker, http, settings) == 3
    first_id = next(
        r.headers["webhook-id"]
        for r in recorder.requests
        if json.loads(r.content)["id"] == str(old.id)
    )
    async with sessionmaker() as session:
        for event in (old, waiting):  # made long ago
            row = await session.get(WebhookDelivery, by_event[event.id].id)
            assert row is not None
            row.created_at = datetime.now(UTC) - timedelta(days=40)
        await session.commit()
        purged = await WebhookDeliveryRepository(session).purge_before(
            datetime.now(UTC) - timedelta(days=30)
        )
        await session.commit()
    assert purged == 1  # the old delivered one; the pending one stays, however old
    left = {r.event_id: r.status for r in await deliveries_of(sessionmaker, endpoint.id)}
    assert left == {recent.id: "delivered", waiting.id: "pending"}
    assert await attempts_of(sessionmaker, by_event[old.id].id) == []
    async with sessionmaker() as session:  # a replay makes it again, under the same id
        repo = WebhookDeliveryRepository(session)
        await repo.upsert([delivery_row(endpoint.id, old, datetime.now(UTC))], reset=True)
        await session.commit()
    async with recorder.client() as http:
        await deliver_once(sessionmaker, http, settings)
    again = [
        r.headers["webhook-id"]
        for r in recorder.requests[3:]
        if json.loads(r.content)["id"] == str(old.id)
    ]
    assert again == [first_id]
