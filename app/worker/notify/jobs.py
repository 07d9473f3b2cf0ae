"""The worker's notification jobs: send what is due, make the overdue reminders."""

from __future__ import annotations

from app.adapters.notifiers.registry import notifiers_for
from app.worker.jobs import WorkerContext
from app.worker.notify.dunning import remind_overdue
from app.worker.notify.sending import send_due


async def send_notifications(ctx: WorkerContext) -> bool:
    """One batch of due notifications through the configured channels."""
    notifiers = notifiers_for(ctx.settings, ctx.http)
    sent = await send_due(ctx.sessionmaker, notifiers, ctx.settings)
    return sent >= ctx.settings.notification_batch_size


async def dunning(ctx: WorkerContext) -> bool:
    await remind_overdue(ctx.sessionmaker, ctx.settings)
    return False
