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


async def deliver_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    rand: random.Random | None = None,
) -> int:
    """Send one batch of due deliveries, one after another; returns how many were tried."""
    lease = timedelta(seconds=settings.dispatcher_lease_seconds)
    now = datetime.now(UTC)
    held = now + lease
    async with sessionmaker() as session:
        pending = await WebhookDeliveryRepository(session).claim_due(
            now, settings.dispatcher_batch_size, held
        )
        await session.commit()
    attempted = 0
    while pending:
        row = pending.pop(0)
        outcome = await send(http, row)
        attempted += 1
        settled = datetime.now(UTC)
        async with sessionmaker() as session:
            repo = WebhookDeliveryRepository(session)
            reason = await settle(repo, row, outcome, settled, settings, rand)
            still_held = await repo.renew([r.id for r in pending], held, settled + lease)
            await session.commit()
        held = settled + lease
        _count(metrics, outcome)
        for lost in (r for r in pending if r.id not in still_held):
            log.warning("webhooks.lease_lost", extra={"delivery_id": str(lost.id)})
        pending = [r for r in pending if r.id in still_held]
        if reason is not None:
            await disable(sessionmaker, settings, row.endpoint_id, reason, settled)
            pending = [r for r in pending if r.endpoint_id != row.endpoint_id]
    return attempted


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
    """Job step: one batch of due deliveries."""
    tried = await deliver_once(ctx.sessionmaker, ctx.http, ctx.settings, metrics=ctx.metrics)
    return tried >= ctx.settings.dispatcher_batch_size
