"""Overdue invoices: ``invoice.overdue`` is raised once per invoice, when it has passed its
due date with something still owed (a worker job).

Whether an invoice *is* overdue is never stored: its standing is derived from its balance and
the date (``app.domain.billing.invoices.standing``), so an invoice paid later is simply not
overdue any more. What is stored is that the event was raised (``overdue_raised_at``), so it is
raised once: each batch claims its invoices with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and
marks them in the same transaction as the outbox rows, so two workers never raise one twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.billing.events import InvoiceOverdue
from app.domain.money import round_money
from app.services.billing.overdue_commands import RaiseOverdueInvoices
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


@retrying
async def raise_overdue_invoices(cmd: RaiseOverdueInvoices, uow: UnitOfWork, ctx: Context) -> int:
    """Raise ``invoice.overdue`` for one batch of invoices past due and not raised yet;
    returns how many (the worker calls again while it returns a full batch)."""
    now = datetime.now(UTC)
    today = cmd.today or now.date()
    async with uow:
        claimed = await uow.invoices.claim_overdue_unraised(today, now, limit=cmd.batch)
        for invoice in claimed:
            uow.record(
                InvoiceOverdue(
                    actor=cmd.principal.actor,
                    entity_id=invoice.id,
                    after={
                        "number": invoice.number,
                        "customer_id": str(invoice.customer_id),
                        "currency": invoice.currency,
                        "due_date": invoice.due_date.isoformat(),
                        "balance": str(round_money(invoice.balance, invoice.currency)),
                        "days_overdue": (today - invoice.due_date).days,
                    },
                )
            )
        await uow.commit()
    return len(claimed)
