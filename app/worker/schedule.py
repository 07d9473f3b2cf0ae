"""Every job of the worker, with how often it runs when idle (``app.worker.jobs``), and every
route events take when routed (``app.worker.routing``). A new kind of background work is one
step function and one line here."""

from __future__ import annotations

from datetime import timedelta

from app.worker import (
    alerts,
    housekeeping,
    invoicing,
    overdue,
    production,
    reports,
    storefronts,
    tracking,
    webhooks,
)
from app.worker.jobs import Job, WorkerContext
from app.worker.notify import jobs as notifications
from app.worker.notify.routing import route_notifications
from app.worker.publishing import NatsPublisher, publishing_enabled
from app.worker.routing import Route, route_once

# What routing fans each event out to, in this order, in the routing transaction: a webhook
# delivery per matching endpoint; customer notifications and staff alert emails; calls back
# to the shops (fulfilments, deliveries, cancellations).
ROUTES: list[Route] = [webhooks.fan_out, route_notifications, storefronts.route_calls]


async def route_events(ctx: WorkerContext) -> bool:
    routed = await route_once(ctx.sessionmaker, ctx.settings, ROUTES)
    return routed >= ctx.settings.dispatcher_batch_size


async def purge(ctx: WorkerContext) -> bool:
    """Expired idempotency records and forgotten failed sign-in counters."""
    retention = timedelta(hours=ctx.settings.idempotency_retention_hours)
    await housekeeping.purge_idempotency_keys(ctx.sessionmaker, retention=retention)
    window = timedelta(seconds=ctx.settings.login_failure_window_seconds)
    await housekeeping.purge_login_failures(ctx.sessionmaker, window=window)
    return False


async def expire_reservations(ctx: WorkerContext) -> bool:
    await housekeeping.expire_reservations(ctx.sessionmaker, ctx.settings)
    return False


async def carrier_round(ctx: WorkerContext) -> bool:
    """Pending label purchases retried, carriers without webhooks polled about shipments last
    tracked ``tracking_poll_minutes`` ago."""
    await housekeeping.retry_labels(ctx.sessionmaker, ctx.carrier_http, ctx.settings)
    interval = timedelta(minutes=ctx.settings.tracking_poll_minutes)
    await tracking.poll_carriers(
        ctx.sessionmaker, ctx.carrier_http, interval=interval, settings=ctx.settings
    )
    return False


async def raise_overdue(ctx: WorkerContext) -> bool:
    await overdue.raise_overdue(ctx.sessionmaker, ctx.settings)
    return False


async def raise_production_delays(ctx: WorkerContext) -> bool:
    await production.raise_delays(ctx.sessionmaker, ctx.settings)
    return False


async def project_reports(ctx: WorkerContext) -> bool:
    """The reports' summaries follow the event stream (``app.worker.reports``)."""
    read = await reports.project_once(ctx.sessionmaker, ctx.settings.reports_batch_size)
    return read >= ctx.settings.reports_batch_size


async def invoice_closed_periods(ctx: WorkerContext) -> bool:
    await invoicing.invoice_closed_periods(ctx.sessionmaker, ctx.settings)
    return False


async def scan_alerts(ctx: WorkerContext) -> bool:
    await alerts.scan_alerts(ctx.sessionmaker, ctx.settings)
    return False


JOBS: list[Job] = [
    Job("route_events", route_events, lambda s: s.dispatcher_interval_seconds),
    Job("purge", purge, lambda s: 600.0),
    Job("expire_reservations", expire_reservations, lambda s: 30.0),
    Job("carrier_round", carrier_round, lambda s: s.carrier_round_seconds),
    Job("raise_overdue", raise_overdue, lambda s: s.overdue_round_seconds),
    Job("raise_production_delays", raise_production_delays, lambda s: s.overdue_round_seconds),
    Job("project_reports", project_reports, lambda s: s.reports_interval_seconds),
    Job("invoice_closed_periods", invoice_closed_periods, lambda s: 3600.0),
    Job("scan_alerts", scan_alerts, lambda s: s.alert_scan_seconds),
    # customer notifications and staff alert emails; dunning reminders
    Job(
        "send_notifications",
        notifications.send_notifications,
        lambda s: s.notification_round_seconds,
    ),
    Job("dunning", notifications.dunning, lambda s: s.dunning_round_seconds),
    # outbound webhooks, and forgetting their old attempts
    Job("deliver_webhooks", webhooks.deliver_webhooks, lambda s: s.dispatcher_interval_seconds),
    Job("purge_webhook_log", webhooks.purge_webhook_log, lambda s: 3600.0),
    # calls back to the shops, and their debounced stock levels
    Job("storefronts", storefronts.send_calls, lambda s: s.storefront_round_seconds),
    # events onto NATS JetStream, only with LADING_NATS_URL
    Job("publish_nats", NatsPublisher(), lambda s: s.nats_interval_seconds, publishing_enabled),
]
