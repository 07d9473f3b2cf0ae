"""Voiding an invoice (作废): nothing is deleted. A draft simply becomes void. An issued
invoice with no payments applied is reversed by a red-letter credit note (红字, through the
e-invoice provider) for what is not credited yet, applied to the invoice so it owes nothing;
then it is void. Either way its lines' invoiced quantities are given back and its shipments
unbilled, so they can be invoiced again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from app.domain import order_lines as lines_domain
from app.domain.billing.credit_notes import CreditReason, remainder
from app.domain.billing.events import InvoiceSettlementChanged, InvoiceVoided
from app.domain.billing.invoices import InvoiceStatus, balance, check_can_void
from app.domain.billing.settlement import unapplied
from app.domain.errors import InvalidState
from app.domain.money import ZERO
from app.repositories.base import snapshot
from app.repositories.invoices import Invoice
from app.services.billing.credit_note_commands import VoidInvoice
from app.services.billing.credit_notes import (
    apply_credit,
    credit_order_lines,
    credited_lines,
    issue_credit_note,
)
from app.services.billing.queries import InvoiceView, load_view
from app.services.bus import Context
from app.services.common import check_version, retrying
from app.services.unit_of_work import UnitOfWork

INVOICES_WRITE = "invoices:write"


@retrying
async def void_invoice(cmd: VoidInvoice, uow: UnitOfWork, ctx: Context) -> InvoiceView:
    """Void a draft, or an issued invoice without payments (409 ``invoice_has_payments``
    otherwise: unapply or reverse them first)."""
    cmd.principal.require(INVOICES_WRITE)
    actor = cmd.principal.actor
    async with uow:
        invoice = await uow.invoices.get_for_update_or_raise(cmd.invoice_id)
        if cmd.expected_version is not None:
            check_version(invoice, cmd.expected_version)
        check_can_void(invoice.status, invoice.amount_paid)
        before = snapshot(invoice)
        if invoice.status == InvoiceStatus.ISSUED:
            await _reverse(uow, ctx, invoice, cmd.reason, actor)
        await _give_back(uow, invoice)
        now = datetime.now(UTC)
        invoice.status = InvoiceStatus.VOID.value
        invoice.voided_at = now
        invoice.voided_by = actor
        invoice.void_reason = cmd.reason
        await uow.flush()
        uow.record(
            InvoiceVoided(actor=actor, entity_id=invoice.id, before=before, after=snapshot(invoice))
        )
        uow.record(InvoiceSettlementChanged(actor=actor, entity_id=invoice.id))
        await uow.commit()
        return await load_view(uow, invoice)


async def _reverse(
    uow: UnitOfWork, ctx: Context, invoice: Invoice, reason: str, actor: str
) -> None:
    """The red-letter note for what is not credited yet, applied to the invoice; then the
    unapplied rest of the invoice's earlier notes, so it owes nothing. If earlier notes'
    credit went elsewhere (another invoice, a refund) the invoice cannot be cleared: 409."""
    credits = [(x, c) for x, state in await credited_lines(uow, invoice) if (c := remainder(state))]
    earlier = await uow.payments.credit_notes_of_invoice(invoice.id, lock=True)
    left = sum((unapplied(n.total, n.amount_applied, n.amount_refunded) for n in earlier), ZERO)
    owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
    if sum((c.total for _, c in credits), ZERO) + left < owed:
        raise InvalidState(
            "Credit of this invoice's credit notes was applied elsewhere or refunded; "
            "take it back before voiding the invoice.",
            code="credit_note_used",
        )
    notes = earlier
    if credits:
        red = await issue_credit_note(
            uow, ctx, invoice, credits, reason=CreditReason.VOID.value, note=reason, actor=actor
        )
        notes = [red, *earlier]
    for note in notes:
        owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
        take = min(owed, unapplied(note.total, note.amount_applied, note.amount_refunded))
        if take > ZERO:
            await apply_credit(uow, note, invoice, take, actor=actor)


async def _give_back(uow: UnitOfWork, invoice: Invoice) -> None:
    """The invoice's quantities given back to its order lines (with the returned goods its
    notes credited); its shipments unbilled."""
    lines = await uow.invoices.lines(invoice.id)
    returned = await uow.payments.credited_by_line(
        [x.id for x in lines], reason=CreditReason.RETURNED_GOODS.value
    )
    await credit_order_lines(uow, [(x, -returned[x.id][0]) for x in lines if x.id in returned])
    by_order: dict[uuid.UUID, list[tuple[uuid.UUID, Decimal]]] = {}
    for x in lines:
        by_order.setdefault(x.order_id, []).append((x.order_line_id, -x.quantity))
    for order_id in sorted(by_order, key=str):
        order = await uow.orders.get_for_update(order_id)
        assert order is not None
        lines_domain.invoice(order, await uow.orders.lines(order_id), by_order[order_id])
    await uow.invoices.unbill_shipments(invoice.id)
