"""Outbound webhooks in the worker: the route that turns each routed event into one delivery
per active endpoint whose filter takes it, and the job that sends due deliveries.

Sending follows the old dispatcher's lease: a batch is leased for
``LADING_DISPATCHER_LEASE_SECONDS`` (``next_attempt_at`` moves to the lease's end), each
settlement renews the lease of the rest, so a worker killed mid-batch holds them back for one
lease, and a delivery whose lease another worker took over is left to it. Nothing is sent
inside a transaction. Each attempt is logged; a failure waits out the retry schedule
(``app.domain.webhooks``); an endpoint that answered 410 or failed for too long is switched
off through the bus (``endpoint.disabled``)."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain import webhooks as rules
from app.observability import Metrics
from app.repositories.events import OutboxEvent
from app.repositories.webhook_deliveries import Claimed, WebhookDeliveryRepository
from app.services.webhooks.replay import delivery_row
from app.settings import Settings
from app.worker.jobs import WorkerContext

log = logging.getLogger(__name__)
EXCERPT_BYTES = 1024
CHUNK = 500  # rows per INSERT (SQLite bounds a statement's parameters)


async def fan_out(session: AsyncSession, events: Sequence[OutboxEvent], settings: Settings) -> None:
    """Route: one delivery per event and active endpoint whose filter takes its type."""
    repo = WebhookDeliveryRepository(session)
    endpoints = await repo.active_endpoints()
    if not endpoints:
        return
    now = datetime.now(UTC)
    rows = [
        delivery_row(endpoint_id, event, now)
        for event in events
        for endpoint_id, types in endpoints
        if rules.matches(types, event.event_type)
    ]
    for start in range(0, len(rows), CHUNK):
        await repo.upsert(rows[start : start + CHUNK], reset=False)


@dataclass(frozen=True)
class Outcome:
    """What one POST gave: the HTTP status, or the transport error."""

    status: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None

    @property
    def label(self) -> str:
        return str(self.status) if self.status is not None else (self.error or "error")


def request_headers(row: Claimed, content: bytes, now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt (the timestamp is the attempt's own, so a
    retry a day later still passes the receiver's tolerance)."""
    msg_id = rules.webhook_id(row.id)
    timestamp = int(now.timestamp())
    keys = rules.signing_secrets(row.secret, row.previous_secret, row.previous_secret_until, now)
    return {
        "content-type": "application/json",
        "user-agent": "Lading-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": rules.signature_header(keys, msg_id, timestamp, content),
    }


async def send(http: httpx.AsyncClient, row: Claimed) -> Outcome:
    """POST one delivery; never raises for what the receiver or the network does."""
    content = rules.body(
        row.event_id,
        row.event_type,
        row.occurred_at,
        (row.aggregate_type, row.aggregate_id),
        row.payload,
    )
    headers = request_headers(row, content, datetime.now(UTC))
    started = time.perf_counter()
    try:
        async with http.stream("POST", row.url, content=content, headers=headers) as response:
            answer = b""
            async for chunk in response.aiter_bytes():
                answer += chunk
                if len(answer) >= EXCERPT_BYTES:
                    break
            status = response.status_code
    except Exception as exc:  # the network, the receiver, or a bug: an attempt that failed
        if not isinstance(exc, httpx.HTTPError):
            log.exception("webhooks.send_failed", extra={"delivery_id": str(row.id)})
        elapsed = int((time.perf_counter() - started) * 1000)
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], elapsed, None)
    elapsed = int((time.perf_counter() - started) * 1000)
    return Outcome(status, None, elapsed, rules.excerpt(answer, EXCERPT_BYTES))


async def settle(
    repo: WebhookDeliveryRepository,
    row: Claimed,
    outcome: Outcome,
    now: datetime,
    settings: Settings,
    rand: random.Random | None = None,
) -> str | None:
    """Log the attempt and mark the delivery delivered, due again after its back-off, or dead
    after the last attempt; returns why the endpoint must be switched off, if it must."""
    await repo.log_attempt(
        delivery_id=row.id,
        at=now,
        status_code=outcome.status,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
        response_excerpt=outcome.excerpt,
    )
    if rules.succeeded(outcome.status):
        await repo.settle(
            row.id,
            status="delivered",
            last_status=outcome.label,
            next_attempt_at=None,
            delivered_at=now,
        )
        await repo.endpoint_answered(row.endpoint_id)
        return None
    delay = rules.retry_delay(row.attempts + 1, rand)
    await repo.settle(
        row.id,
        status="pending" if delay is not None else "dead",
        last_status=outcome.label,
        next_attempt_at=now + delay if delay is not None else None,
        delivered_at=None,
    )
    since = await repo.endpoint_failed(row.endpoint_id, now)
    disable_after = timedelta(hours=settings.webhook_disable_after_hours)
    return rules.disable_reason(outcome.status, since, now, disable_after)


class _Batch:
    """A claimed batch while it is sent: the rows not started, those in flight, and the
    worker's lease on all of them (its end is the token ``renew`` checks)."""

    def __init__(self, rows: list[Claimed], held: datetime) -> None:
        self.waiting = rows
        self.in_flight: dict[uuid.UUID, Claimed] = {}
        self.lost: set[uuid.UUID] = set()
        self.held = held
        self.attempted = 0
        self.lock = asyncio.Lock()  # one settlement at a time: each renews the lease

    def take(self) -> Claimed | None:
        if not self.waiting:
            return None
        row = self.waiting.pop(0)
        self.in_flight[row.id] = row
        return row

    def unsettled(self) -> list[uuid.UUID]:
        ids = [r.id for r in self.waiting] + list(self.in_flight)
        return [i for i in ids if i not in self.lost]


async def deliver_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    rand: random.Random | None = None,
) -> int:
    """Send one batch of due deliveries, ``LADING_WEBHOOK_CONCURRENCY`` at a time (a batch
    holds at most one delivery per endpoint and ordering key, so this keeps each order's
    events in order); returns how many were tried."""
    lease = timedelta(seconds=settings.dispatcher_lease_seconds)
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        rows = await WebhookDeliveryRepository(session).claim_due(
            now, settings.dispatcher_batch_size, now + lease
        )
        await session.commit()
    batch = _Batch(rows, now + lease)

    async def sender() -> None:
        while (row := batch.take()) is not None:
            outcome = await send(http, row)
            async with batch.lock:
                await _settle_one(sessionmaker, settings, batch, row, outcome, lease, rand)
            _count(metrics, outcome)

    async with asyncio.TaskGroup() as group:
        for _ in range(min(settings.webhook_concurrency, len(rows))):
            group.create_task(sender())
    return batch.attempted


async def _settle_one(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    batch: _Batch,
    row: Claimed,
    outcome: Outcome,
    lease: timedelta,
    rand: random.Random | None,
) -> None:
    """Settle ``row`` and renew the lease of the rest of the batch; a row whose lease another
    worker took over is left to it; an endpoint to switch off is switched off, and its rows
    not yet started stay for when it is on again."""
    del batch.in_flight[row.id]
    batch.attempted += 1
    settled = datetime.now(UTC)
    async with sessionmaker() as session:
        repo = WebhookDeliveryRepository(session)
        reason = await settle(repo, row, outcome, settled, settings, rand)
        unsettled = batch.unsettled()
        still_held = await repo.renew(unsettled, batch.held, settled + lease)
        await session.commit()
    batch.held = settled + lease
    for lost in (i for i in unsettled if i not in still_held):
        log.warning("webhooks.lease_lost", extra={"delivery_id": str(lost)})
        batch.lost.add(lost)
    batch.waiting = [r for r in batch.waiting if r.id not in batch.lost]
    if reason is not None:
        await disable(sessionmaker, settings, row.endpoint_id, reason, settled)
        batch.waiting = [r for r in batch.waiting if r.endpoint_id != row.endpoint_id]


def _count(metrics: Metrics | None, outcome: Outcome) -> None:
    if rules.succeeded(outcome.status):
        if metrics:
            metrics.outbox_sent.inc()
        return
    if metrics:
        metrics.outbox_failed.inc()
    log.warning("webhooks.attempt_failed", extra={"answer": outcome.label})


async def disable(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    endpoint_id: uuid.UUID,
    reason: str,
    at: datetime,
) -> None:
    """Switch the endpoint off through the bus (it records ``endpoint.disabled``)."""
    from app.bootstrap import build_bus, unit_of_work
    from app.services.webhooks.commands import DisableWebhookEndpoint
    from app.worker.housekeeping import SYSTEM

    bus = build_bus(settings)
    command = DisableWebhookEndpoint(
        endpoint_id=endpoint_id, reason=reason, at=at, principal=SYSTEM
    )
    if await bus.handle(command, unit_of_work(sessionmaker, bus)):
        log.warning(
            "webhooks.endpoint_disabled", extra={"endpoint_id": str(endpoint_id), "reason": reason}
        )


async def deliver_webhooks(ctx: WorkerContext) -> bool:
    """Job step: one batch of due deliveries; again at once while any was due. (A batch takes
    one delivery per endpoint and order, so an order's next event is due only after the batch:
    waiting for a full batch would send an order's events one per interval.)"""
    tried = await deliver_once(ctx.sessionmaker, ctx.http, ctx.settings, metrics=ctx.metrics)
    return tried > 0


async def purge_webhook_log(ctx: WorkerContext) -> bool:
    """Job step: forget attempts and settled deliveries older than the retention."""
    cutoff = datetime.now(UTC) - timedelta(days=ctx.settings.webhook_log_retention_days)
    async with ctx.sessionmaker() as session:
        purged = await WebhookDeliveryRepository(session).purge_before(cutoff)
        await session.commit()
    if purged:
        log.info("webhooks.log_purged", extra={"deliveries": purged})
    return False
