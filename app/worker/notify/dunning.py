"""Overdue reminders (催款): a worker job makes one reminder per invoice and step
(``LADING_DUNNING_DAYS``, days past the due date) for issued invoices with something owed.
An invoice gets the step it is at: one found at 20 days past due with steps 1, 7, 14 gets the
14-day reminder, not three at once. Safe in any number of workers (the rows' unique key)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.notifications.dunning import due_window
from app.domain.notifications.kinds import NotificationKind, Subject
from app.repositories.customers import CustomerRepository
from app.repositories.notifications import NotificationRepository
from app.services.notifications import context as ctx
from app.services.notifications.making import Occasion, make
from app.services.notifications.templates_store import Templates
from app.settings import Settings

log = logging.getLogger(__name__)

DUNNING_BATCH = 100


async def remind_overdue(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    today: date | None = None,
    batch: int = DUNNING_BATCH,
) -> int:
    """Make the reminders due today, a batch per transaction; returns how many invoices."""
    today = today or datetime.now(UTC).date()
    total = 0
    for step in settings.dunning_days:
        latest, earliest = due_window(settings.dunning_days, step, today)
        while True:
            done = await _batch(sessionmaker, settings, step, latest, earliest, today, batch)
            total += done
            if done < batch:
                break
    if total:
        log.info("notifications.dunning", extra={"count": total})
    return total


async def _batch(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    step: int,
    latest: date,
    earliest: date | None,
    today: date,
    batch: int,
) -> int:
    async with sessionmaker() as session:
        repo = NotificationRepository(session)
        invoices = await repo.overdue_without_reminder(step, latest, earliest, batch)
        templates = await Templates.load(repo)
        customers = CustomerRepository(session)
        for invoice in invoices:
            customer = await customers.get(invoice.customer_id)
            assert customer is not None
            context = {
                "company": ctx.company(settings),
                "customer": ctx.customer_part(customer),
                "invoice": ctx.invoice_part(invoice, today),
            }
            occasion = Occasion(
                kind=NotificationKind.INVOICE_OVERDUE,
                subject=Subject("invoice", str(invoice.id)),
                context=context,
                language=customer.language,
                customer=customer,
                step=step,
            )
            await make(repo, templates, occasion)
        await session.commit()
    return len(invoices)
