"""Returned goods' credit notes: what arrived of a return, credited on the invoice that billed
it at the amounts it was invoiced for, applied first to what that invoice still owes.

Locks are taken as billing takes them — the invoice, then the order, then the return — so
resolving a return never deadlocks with a payment or a credit note of the same invoice.

Reactions: a return resolved as an exchange has its goods credited (``ReturnResolved``), and
the exchange order's invoice is settled by that credit when it is issued (``InvoiceIssued``),
so the price difference is what the invoice still owes or what the note keeps as the
customer's credit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.after_sales import resolution as rules
from app.domain.after_sales.returns import ReturnResolution
from app.domain.billing.credit_notes import Credit, CreditReason, returned
from app.domain.billing.events import InvoiceIssued
from app.domain.billing.invoices import balance
from app.domain.billing.settlement import unapplied
from app.domain.errors import InvalidState
from app.domain.events import ReturnResolved
from app.domain.money import ZERO
from app.repositories.invoices import Invoice, InvoiceLine
from app.repositories.orders import Order
from app.repositories.payments import CreditNote
from app.repositories.returns import Return, ReturnLine
from app.services.billing.credit_notes import apply_credit, credited_lines, issue_credit_note
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Locked:
    """A return taken for crediting: the invoice that billed its goods, its order, the
    return read again under its lock, and its lines."""

    invoice: Invoice
    order: Order
    ret: Return
    lines: list[ReturnLine]


async def lock_for_credit(uow: UnitOfWork, return_id: uuid.UUID) -> Locked:
    """The invoice that billed the return's goods, its order and the return, locked in that
    order."""
    found = await uow.returns.get_or_raise(return_id)
    invoice = await _billing_invoice(uow, await uow.returns.lines(found.id))
    order = await uow.orders.get_for_update(found.order_id)
    assert order is not None
    ret = await uow.returns.get_for_update_or_raise(found.id)
    return Locked(invoice, order, ret, await uow.returns.lines(ret.id))


async def _billing_invoice(uow: UnitOfWork, lines: list[ReturnLine]) -> Invoice:
    billed = await uow.invoices.issued_lines_of([x.order_line_id for x in lines])
    invoice_id = rules.billing_invoice([x.invoice_id for x in billed])
    return await uow.invoices.get_for_update_or_raise(invoice_id)


async def credit_arrived(
    uow: UnitOfWork, ctx: Context, taken: Locked, *, actor: str
) -> tuple[CreditNote, Decimal]:
    """The credit note for what arrived and is not credited yet, applied to what its invoice
    owes; (the note, what is left of it: what the customer paid for the goods)."""
    invoice = taken.invoice
    rules.check_something_arrived([rules.to_credit(x) for x in taken.lines])
    note = await issue_credit_note(
        uow,
        ctx,
        invoice,
        await _credits(uow, invoice, taken.lines),
        reason=CreditReason.RETURNED_GOODS.value,
        note=f"Return {taken.ret.number}",
        actor=actor,
    )
    for x in taken.lines:
        x.credited += rules.to_credit(x)
    taken.ret.credit_note_id = note.id
    owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
    take = min(note.total, owed)
    if take > ZERO:
        await apply_credit(uow, note, invoice, take, actor=actor)
    return note, unapplied(note.total, note.amount_applied, note.amount_refunded)


async def _credits(
    uow: UnitOfWork, invoice: Invoice, lines: list[ReturnLine]
) -> list[tuple[InvoiceLine, Credit]]:
    state = {x.order_line_id: (x, s) for x, s in await credited_lines(uow, invoice)}
    out = []
    for n, x in enumerate(lines):
        quantity = rules.to_credit(x)
        if quantity <= 0:
            continue
        if x.order_line_id not in state:
            raise InvalidState(
                f"Line {x.line_no} ({x.sku}) of the return is not invoiced yet.",
                code="return_not_invoiced",
            )
        invoice_line, credited = state[x.order_line_id]
        out.append(
            (invoice_line, returned(credited, quantity, invoice.currency, f"lines.{n}.quantity"))
        )
    return out


async def on_return_resolved(event: ReturnResolved, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: an exchanged return's goods are credited (the note's total is the event's
    result, for the exchange's price difference). The exchange holds the invoice's, the
    order's and the return's locks; the rows are taken as it left them, not read again."""
    ret = await uow.returns.get_or_raise(event.entity_uuid)
    if ret.resolution != ReturnResolution.EXCHANGE or ret.credit_note_id is not None:
        return
    lines = await uow.returns.lines(ret.id)
    order = await uow.orders.get_or_raise(ret.order_id)
    taken = Locked(await _billing_invoice(uow, lines), order, ret, lines)
    note, _ = await credit_arrived(uow, ctx, taken, actor=event.actor)
    event.results.append(note.total)


async def on_invoice_issued(event: InvoiceIssued, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: an exchange order's invoice takes what the returned goods' note has left."""
    invoice = await uow.invoices.get_for_update_or_raise(event.entity_uuid)
    for order_id in await uow.invoices.order_ids([invoice.id]):
        ret = await uow.returns.resolved_by_order(order_id)
        if ret is None or ret.credit_note_id is None:
            continue
        note = await uow.payments.credit_note(ret.credit_note_id, lock=True)
        assert note is not None
        if note.currency != invoice.currency:
            continue
        left = unapplied(note.total, note.amount_applied, note.amount_refunded)
        owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
        if min(left, owed) > 0:
            await apply_credit(uow, note, invoice, min(left, owed), actor=event.actor)
