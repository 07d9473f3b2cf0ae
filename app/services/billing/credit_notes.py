"""Credit notes (红字发票): issuing one against an invoice's lines, and applying it to an
invoice's balance. Shared by the credit-note commands and by voiding an invoice; each records
its event with the journal entry it posts (revenue and output VAT reversed into the customer's
credit; that credit applied to a receivable)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from app.adapters.einvoice.base import InvoiceDocument
from app.domain import order_lines
from app.domain.billing import ledger
from app.domain.billing.credit_notes import (
    Credit,
    CreditedLine,
    CreditReason,
    check_credit_application,
    format_credit_note_number,
)
from app.domain.billing.events import (
    CreditNoteApplied,
    CreditNoteIssued,
    InvoiceSettlementChanged,
)
from app.domain.billing.invoices import InvoiceStatus, balance
from app.domain.billing.settlement import unapplied
from app.domain.errors import InvalidState, RuleViolation
from app.domain.money import ZERO
from app.repositories.base import snapshot
from app.repositories.invoices import Invoice, InvoiceLine
from app.repositories.payments import CreditApplication, CreditNote, CreditNoteLine
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


async def credited_lines(
    uow: UnitOfWork, invoice: Invoice
) -> list[tuple[InvoiceLine, CreditedLine]]:
    """The invoice's lines, each with what credit notes credited of it so far."""
    lines = await uow.invoices.lines(invoice.id)
    credited = await uow.payments.credited_by_line([x.id for x in lines])
    out = []
    for x in lines:
        q, net, tax = credited.get(x.id, (ZERO, ZERO, ZERO))
        out.append((x, CreditedLine(x.quantity, x.tax_rate, x.net, x.tax, q, net, tax)))
    return out


async def issue_credit_note(
    uow: UnitOfWork,
    ctx: Context,
    invoice: Invoice,
    credits: Sequence[tuple[InvoiceLine, Credit]],
    *,
    reason: str,
    note: str | None,
    actor: str,
) -> CreditNote:
    """A credit note for ``credits`` (each already checked within its line), registered
    with the e-invoice provider as a red-letter note (红字) of the invoice."""
    today = datetime.now(UTC).date()
    number = format_credit_note_number(today.year, await uow.payments.next_number("credit_note"))
    net = sum((c.net for _, c in credits), ZERO)
    tax = sum((c.tax for _, c in credits), ZERO)
    issued = await ctx.einvoice.red_letter(
        InvoiceDocument(
            number=number,
            invoice_type=invoice.invoice_type,
            currency=invoice.currency,
            net_total=net,
            tax_total=tax,
            total=net + tax,
            buyer=invoice.buyer,
            lines=tuple(_document_line(x, c) for x, c in credits),
            reverses=invoice.provider_number,
        )
    )
    credit_note = CreditNote(
        id=uuid.uuid4(),
        number=number,
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        currency=invoice.currency,
        reason=reason,
        note=note,
        issue_date=today,
        net_total=net,
        tax_total=tax,
        total=net + tax,
        amount_applied=ZERO,
        amount_refunded=ZERO,
        provider_number=issued.provider_number,
        provider_url=issued.url,
        created_by=actor,
    )
    uow.payments.add(credit_note)
    for line_no, (x, c) in enumerate(credits, start=1):
        uow.payments.add(
            CreditNoteLine(
                credit_note_id=credit_note.id,
                line_no=line_no,
                invoice_line_id=x.id,
                description=x.description,
                quantity=c.quantity,
                tax_rate=x.tax_rate,
                net=c.net,
                tax=c.tax,
                total=c.total,
            )
        )
    if reason == CreditReason.RETURNED_GOODS:
        await credit_order_lines(uow, [(x, c.quantity) for x, c in credits])
    await uow.flush()
    uow.record(
        CreditNoteIssued(
            actor=actor,
            entity_id=credit_note.id,
            after=snapshot(credit_note),
            customer_id=str(invoice.customer_id),
            posting=ledger.credit_note_issued(net, tax, invoice.currency, number),
        )
    )
    return credit_note


async def credit_order_lines(
    uow: UnitOfWork, credits: Sequence[tuple[InvoiceLine, Decimal]]
) -> None:
    """Returned goods credited (or, negative, taken back by a void): the order lines they were
    invoiced from record it, orders locked one by one in id order."""
    by_order: dict[uuid.UUID, list[tuple[uuid.UUID, Decimal]]] = {}
    for x, quantity in credits:
        if quantity:
            by_order.setdefault(x.order_id, []).append((x.order_line_id, quantity))
    for order_id in sorted(by_order, key=str):
        order = await uow.orders.get_for_update(order_id)
        assert order is not None
        order_lines.credit(order, await uow.orders.lines(order_id), by_order[order_id])


def _document_line(x: InvoiceLine, c: Credit) -> dict[str, object]:
    return {
        "sku": x.sku,
        "description": x.description,
        "quantity": str(c.quantity),
        "tax_rate": str(x.tax_rate),
        "net": str(c.net),
        "tax": str(c.tax),
    }


async def apply_credit(
    uow: UnitOfWork,
    credit_note: CreditNote,
    invoice: Invoice,
    amount: Decimal,
    *,
    actor: str,
    field: str = "amount",
) -> CreditApplication:
    """Apply ``amount`` of ``credit_note`` to ``invoice`` (same customer and currency). The
    caller holds both rows' locks (note, then invoice)."""
    if invoice.status != InvoiceStatus.ISSUED:
        raise InvalidState(
            f"Invoice {invoice.number} is {invoice.status}; credit applies to issued invoices.",
            code="invoice_not_issued",
        )
    if invoice.customer_id != credit_note.customer_id:
        raise RuleViolation.on(
            "invoice_id", "same_customer", "The invoice belongs to another customer."
        )
    if invoice.currency != credit_note.currency:
        raise RuleViolation.on(
            "invoice_id",
            "same_currency",
            f"The credit note is in {credit_note.currency}, the invoice in {invoice.currency}.",
        )
    available = unapplied(
        credit_note.total, credit_note.amount_applied, credit_note.amount_refunded
    )
    owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
    check_credit_application(amount, available, owed, field=field)
    before = snapshot(credit_note)
    application = CreditApplication(
        id=uuid.uuid4(),
        credit_note_id=credit_note.id,
        invoice_id=invoice.id,
        amount=amount,
        applied_at=datetime.now(UTC),
        applied_by=actor,
    )
    uow.payments.add(application)
    credit_note.amount_applied += amount
    invoice.amount_credited += amount
    await uow.flush()
    uow.record(
        CreditNoteApplied(
            actor=actor,
            entity_id=credit_note.id,
            before=before,
            after=snapshot(credit_note),
            payload={
                "credit_note_id": str(credit_note.id),
                "credit_note_number": credit_note.number,
                "invoice_id": str(invoice.id),
                "invoice_number": invoice.number,
                "amount": str(amount),
                "currency": invoice.currency,
            },
            customer_id=str(invoice.customer_id),
            posting=ledger.applied(
                amount, invoice.currency, f"Credit note {credit_note.number} to {invoice.number}"
            ),
        )
    )
    uow.record(InvoiceSettlementChanged(actor=actor, entity_id=invoice.id))
    return application
