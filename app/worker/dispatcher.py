"""The outbox dispatcher: lease due events, send them outside any transaction, settle them."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.notifiers.base import DeliveryError, Notifier, OutboundEvent
from app.adapters.notifiers.webhook import HttpWebhookNotifier, LogNotifier
from app.adapters.outbound import OutboundGuard, guarded_client
from app.domain.retry import next_retry
from app.observability import Metrics
from app.repositories.events import OutboxEvent
from app.repositories.outbox import OutboxRepository
from app.settings import Settings
from app.worker.housekeeping import (
    expire_reservations,
    purge_idempotency_keys,
    purge_login_failures,
    retry_labels,
)
from app.worker.invoicing import INVOICING_EVERY, invoice_closed_periods
from app.worker.overdue import raise_overdue
from app.worker.tracking import poll_carriers

log = logging.getLogger(__name__)
# The default lease of a claimed batch; settings override it (LADING_DISPATCHER_LEASE_SECONDS).
DEFAULT_LEASE = timedelta(seconds=30)
HOUSEKEEPING_EVERY = timedelta(minutes=10)
EXPIRY_EVERY = timedelta(seconds=30)


async def dispatch_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    notifier: Notifier,
    *,
    batch_size: int,
    max_attempts: int,
    lease: timedelta = DEFAULT_LEASE,
    metrics: Metrics | None = None,
    rand: random.Random | None = None,
) -> int:
    """Deliver one batch of due events; returns how many were attempted.

    The batch is leased for ``lease`` only, and each settlement renews the lease of the events
    still to send, so a dispatcher killed mid-batch holds the rest back for one lease (seconds),
    not for the time the whole batch would have taken. An event whose lease was lost (it ran
    out and another worker took it) is left to that worker."""
    now = datetime.now(UTC)
    held = now + lease
    async with sessionmaker() as session:
        pending = await OutboxRepository(session).claim_due(now, batch_size, held)
        await session.commit()
    attempted = 0
    while pending:
        row = pending.pop(0)
        error = await _send(notifier, row)
        attempted += 1
        async with sessionmaker() as session:
            repo = OutboxRepository(session)
            settled = datetime.now(UTC)
            await _settle(repo, row, error, settled, max_attempts, metrics, rand)
            still_held = await repo.renew([r.id for r in pending], held, settled + lease)
            await session.commit()
        held = settled + lease
        for lost in (r for r in pending if r.id not in still_held):
            log.warning("outbox.lease_lost", extra={"event_id": str(lost.id)})
        pending = [r for r in pending if r.id in still_held]
    return attempted


async def _settle(
    repo: OutboxRepository,
    row: OutboxEvent,
    error: str | None,
    now: datetime,
    max_attempts: int,
    metrics: Metrics | None,
    rand: random.Random | None,
) -> None:
    """Mark one attempt: sent, due again after a back-off, or dead after the last attempt."""
    if error is None:
        await repo.mark_sent(row.id, now)
        if metrics:
            metrics.outbox_sent.inc()
        return
    delay = next_retry(row.attempts, max_attempts, rand=rand)
    await repo.mark_failed(row.id, error=error, retry_at=now + delay if delay else None)
    if metrics:
        metrics.outbox_failed.inc()
    log.warning(
        "outbox.delivery_failed",
        extra={"event_id": str(row.id), "error": error, "dead": delay is None},
    )


async def _send(notifier: Notifier, row: OutboxEvent) -> str | None:
    """Send one event; the error text when it failed, ``None`` when it was delivered."""
    event = OutboundEvent(
        id=str(row.id),
        type=row.event_type,
        aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id,
        occurred_at=row.created_at.isoformat(),
        payload=row.payload,
    )
    try:
        await notifier.send(event)
    except DeliveryError as exc:
        return str(exc)
    except Exception as exc:  # a notifier bug must not stop the dispatcher
        log.exception("outbox.notifier_failed", extra={"event_id": event.id})
        return f"{type(exc).__name__}: {exc}"
    return None


def build_notifier(settings: Settings, client: httpx.AsyncClient) -> Notifier:
    if settings.webhook_url:
        return HttpWebhookNotifier(
            client, settings.webhook_url, settings.webhook_secret.get_secret_value().encode()
        )
    return LogNotifier()


async def run_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    metrics: Metrics | None = None,
) -> None:
    """Poll the outbox until cancelled; a full batch is followed at once by the next one.
    Housekeeping (purging expired idempotency keys and forgotten sign-in counters) runs every
    ``HOUSEKEEPING_EVERY``, the expiry of unpaid reservations every ``EXPIRY_EVERY``, and the
    carrier round (retrying pending label purchases, polling carriers without webhooks about
    shipments last tracked ``tracking_poll_minutes`` ago) every ``carrier_round_seconds``;
    ``invoice.overdue`` is raised for invoices past due every ``overdue_round_seconds``. Both
    HTTP clients check each request against the outbound URL rule (the webhook URL's host is
    resolved on every delivery, as DNS may change)."""
    retention = timedelta(hours=settings.idempotency_retention_hours)
    login_window = timedelta(seconds=settings.login_failure_window_seconds)
    carriers_every = timedelta(seconds=settings.carrier_round_seconds)
    poll_interval = timedelta(minutes=settings.tracking_poll_minutes)
    next_housekeeping = datetime.now(UTC)
    next_expiry = datetime.now(UTC)
    next_carriers = datetime.now(UTC)
    overdue_every = timedelta(seconds=settings.overdue_round_seconds)
    next_overdue = datetime.now(UTC)
    next_invoicing = datetime.now(UTC)
    guard = OutboundGuard(settings.outbound_policy)
    async with (
        guarded_client(guard) as carrier_client,
        guarded_client(guard, timeout=settings.webhook_timeout_seconds) as client,
    ):
        notifier = build_notifier(settings, client)
        log.info("outbox.dispatcher_started")
        while True:
            if datetime.now(UTC) >= next_housekeeping:
                try:
                    await purge_idempotency_keys(sessionmaker, retention=retention)
                    await purge_login_failures(sessionmaker, window=login_window)
                except Exception:
                    log.exception("housekeeping.failed")
                next_housekeeping = datetime.now(UTC) + HOUSEKEEPING_EVERY
            if datetime.now(UTC) >= next_expiry:
                try:
                    await expire_reservations(sessionmaker, settings)
                except Exception:
                    log.exception("reservations.expiry_failed")
                next_expiry = datetime.now(UTC) + EXPIRY_EVERY
            if datetime.now(UTC) >= next_carriers:
                try:
                    await retry_labels(sessionmaker, carrier_client, settings)
                except Exception:
                    log.exception("labels.retry_failed")
                try:
                    await poll_carriers(
                        sessionmaker, carrier_client, interval=poll_interval, settings=settings
                    )
                except Exception:
                    log.exception("tracking.poll_failed")
                next_carriers = datetime.now(UTC) + carriers_every
            if datetime.now(UTC) >= next_overdue:
                try:
                    await raise_overdue(sessionmaker, settings)
                except Exception:
                    log.exception("invoices.overdue_failed")
                next_overdue = datetime.now(UTC) + overdue_every
            if datetime.now(UTC) >= next_invoicing:
                try:
                    await invoice_closed_periods(sessionmaker, settings)
                except Exception:
                    log.exception("invoicing.run_failed")
                next_invoicing = datetime.now(UTC) + INVOICING_EVERY
            try:
                count = await dispatch_once(
                    sessionmaker,
                    notifier,
                    batch_size=settings.dispatcher_batch_size,
                    max_attempts=settings.dispatcher_max_attempts,
                    lease=timedelta(seconds=settings.dispatcher_lease_seconds),
                    metrics=metrics,
                )
            except Exception:
                log.exception("outbox.dispatch_failed")
                count = 0
            if count < settings.dispatcher_batch_size:
                await asyncio.sleep(settings.dispatcher_interval_seconds)
