"""Reading invoices: one with its lines, totals per tax rate and standing; lists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from app.domain.billing.invoices import (
    InvoiceAmounts,
    InvoiceStanding,
    RateTotal,
    balance,
    standing,
    totals_by_rate,
)
from app.repositories.invoices import Invoice, InvoiceFilter, InvoiceLine
from app.repositories.pagination import PageResult
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class InvoiceView:
    invoice: Invoice
    lines: list[InvoiceLine]
    standing: InvoiceStanding
    balance: object
    totals_by_rate: list[RateTotal]


def view_of(invoice: Invoice, lines: list[InvoiceLine]) -> InvoiceView:
    today = datetime.now(UTC).date()
    i = invoice
    return InvoiceView(
        invoice=i,
        lines=lines,
        standing=standing(i.status, i.total, i.amount_paid, i.amount_credited, i.due_date, today),
        balance=balance(i.total, i.amount_paid, i.amount_credited),
        totals_by_rate=totals_by_rate(
            (x.tax_rate, InvoiceAmounts(x.gross, x.discount, x.net, x.tax)) for x in lines
        ),
    )


async def get_invoice(uow: UnitOfWork, invoice_id: uuid.UUID) -> InvoiceView:
    async with uow:
        invoice = await uow.invoices.get_or_raise(invoice_id)
        return view_of(invoice, await uow.invoices.lines(invoice.id))


async def load_view(uow: UnitOfWork, invoice: Invoice) -> InvoiceView:
    """The view of an invoice a command just wrote (inside its unit of work)."""
    return view_of(invoice, await uow.invoices.lines(invoice.id))


async def list_invoices(
    uow: UnitOfWork,
    *,
    customer_id: uuid.UUID | None = None,
    order_id: uuid.UUID | None = None,
    status: str | None = None,
    overdue_on: date | None = None,
    limit: int,
    cursor: str | None,
) -> PageResult[InvoiceView]:
    f = InvoiceFilter(
        customer_id=customer_id, order_id=order_id, status=status, overdue_on=overdue_on
    )
    async with uow:
        page = await uow.invoices.page(f, limit=limit, cursor=cursor)
        views = [view_of(i, await uow.invoices.lines(i.id)) for i in page.items]
    return PageResult(items=views, next_cursor=page.next_cursor)
