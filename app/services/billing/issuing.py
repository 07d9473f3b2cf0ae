"""Issuing an invoice: through the e-invoice provider, with its due date, posting the
receivable (the ledger's reaction writes the entry)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.adapters.einvoice.base import InvoiceDocument
from app.domain.billing import ledger
from app.domain.billing.events import InvoiceIssued, InvoiceSettlementChanged
from app.domain.billing.invoices import check_can_issue, due_date
from app.domain.billing.taxpayer import check_buyer
from app.repositories.base import snapshot
from app.repositories.invoices import Invoice
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


async def issue_invoice(uow: UnitOfWork, ctx: Context, invoice: Invoice, actor: str) -> None:
    """Draft → issued, today, due after the customer's payment terms."""
    check_can_issue(invoice.status)
    check_buyer(invoice.invoice_type, invoice.buyer)
    customer = await uow.customers.get(invoice.customer_id)
    assert customer is not None
    before = snapshot(invoice)
    document = InvoiceDocument(
        number=invoice.number,
        invoice_type=invoice.invoice_type,
        currency=invoice.currency,
        net_total=invoice.net_total,
        tax_total=invoice.tax_total,
        total=invoice.total,
        buyer=invoice.buyer,
    )
    issued = await ctx.einvoice.issue(document)
    now = datetime.now(UTC)
    invoice.status = "issued"
    invoice.issue_date = now.date()
    invoice.due_date = due_date(now.date(), customer.payment_terms_days)
    invoice.issued_at = now
    invoice.issued_by = actor
    invoice.provider_number = issued.provider_number
    invoice.provider_url = issued.url
    await uow.flush()
    uow.record(
        InvoiceIssued(
            actor=actor,
            entity_id=invoice.id,
            before=before,
            after=snapshot(invoice),
            customer_id=str(invoice.customer_id),
            posting=ledger.invoice_issued(
                invoice.net_total, invoice.tax_total, invoice.currency, invoice.number
            ),
        )
    )
    if invoice.total <= 0:  # an invoice of nothing is settled as it is issued
        uow.record(InvoiceSettlementChanged(actor=actor, entity_id=invoice.id))
