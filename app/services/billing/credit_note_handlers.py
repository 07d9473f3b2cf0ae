"""Credit-note commands: issue one against an invoice's lines (applied to that invoice's
balance unless asked not to), apply a note's credit to another open invoice."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict
from datetime import UTC, datetime

from app.domain.billing.credit_notes import (
    Credit,
    CreditedLine,
    CreditReason,
    adjusted,
    check_can_credit,
    returned,
)
from app.domain.billing.invoices import balance
from app.domain.errors import Conflict, RuleViolation
from app.domain.money import ZERO
from app.repositories.base import jsonable
from app.repositories.idempotency import IdempotencyRecord
from app.repositories.invoices import Invoice, InvoiceLine
from app.services.billing.credit_note_commands import ApplyCreditNote, CreateCreditNote, CreditLine
from app.services.billing.credit_note_queries import CreditNoteView, find, load_view
from app.services.billing.credit_notes import apply_credit, credited_lines, issue_credit_note
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork

INVOICES_WRITE = "invoices:write"


def _digest(cmd: CreateCreditNote) -> str:
    content = {k: v for k, v in asdict(cmd).items() if k not in ("principal", "idempotency_key")}
    canonical = json.dumps(jsonable(content), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _owner(cmd: CreateCreditNote) -> str:
    return f"credit_note:{cmd.principal.subject_id}"


async def _repeated(uow: UnitOfWork, cmd: CreateCreditNote, digest: str) -> CreditNoteView | None:
    if not cmd.idempotency_key:
        return None
    record = await uow.idempotency.get(_owner(cmd), cmd.idempotency_key)
    if record is None:
        return None
    if record.request_hash != digest:
        raise Conflict(
            "This Idempotency-Key was used with a different request body.",
            code="idempotency_key_reused",
        )
    return await load_view(uow, await find(uow, uuid.UUID(record.resource_id)))


def _credits(
    cmd: CreateCreditNote, invoice: Invoice, lines: list[tuple[InvoiceLine, CreditedLine]]
) -> list[tuple[InvoiceLine, Credit]]:
    """Each asked line's credit, within what is left of its invoice line (a line named twice
    counts what the earlier entry credited)."""
    by_id = {x.id: (x, state) for x, state in lines}
    out = []
    for n, asked in enumerate(cmd.lines):
        if asked.invoice_line_id not in by_id:
            raise RuleViolation.on(
                f"lines.{n}.invoice_line_id", "of_invoice", "Not a line of this invoice."
            )
        x, state = by_id[asked.invoice_line_id]
        credit = _credit(cmd.reason, asked, state, invoice.currency, n)
        by_id[x.id] = (
            x,
            CreditedLine(
                state.quantity,
                state.tax_rate,
                state.net,
                state.tax,
                state.credited_quantity + credit.quantity,
                state.credited_net + credit.net,
                state.credited_tax + credit.tax,
            ),
        )
        out.append((x, credit))
    return out


def _credit(reason: str, asked: CreditLine, state: CreditedLine, currency: str, n: int) -> Credit:
    if reason == CreditReason.RETURNED_GOODS:
        if asked.quantity is None or asked.amount is not None:
            raise RuleViolation.on(
                f"lines.{n}.quantity", "required", "Returned goods credit a quantity, no amount."
            )
        return returned(state, asked.quantity, currency, f"lines.{n}.quantity")
    if asked.amount is None or asked.quantity is not None:
        raise RuleViolation.on(
            f"lines.{n}.amount", "required", "An adjustment credits a net amount, no quantity."
        )
    return adjusted(state, asked.amount, currency, f"lines.{n}.amount")


@retrying
async def create_credit_note(
    cmd: CreateCreditNote, uow: UnitOfWork, ctx: Context
) -> CreditNoteView:
    """A credit note against an issued invoice; with ``apply`` its credit goes to that
    invoice's balance, and what does not fit stays the customer's credit."""
    cmd.principal.require(INVOICES_WRITE)
    if cmd.reason not in (r.value for r in CreditReason if r != CreditReason.VOID):
        raise RuleViolation.on("reason", "known", f"Not a credit note reason: {cmd.reason}.")
    digest = _digest(cmd)
    async with uow:
        repeated = await _repeated(uow, cmd, digest)
        if repeated is not None:
            return repeated
        invoice = await uow.invoices.get_for_update_or_raise(cmd.invoice_id)
        check_can_credit(invoice.status)
        credits = _credits(cmd, invoice, await credited_lines(uow, invoice))
        actor = cmd.principal.actor
        credit_note = await issue_credit_note(
            uow, ctx, invoice, credits, reason=cmd.reason, note=cmd.note, actor=actor
        )
        owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
        amount = min(credit_note.total, owed)
        if cmd.apply and amount > ZERO:
            await apply_credit(uow, credit_note, invoice, amount, actor=actor)
        if cmd.idempotency_key:
            uow.idempotency.add(
                IdempotencyRecord(
                    owner=_owner(cmd),
                    key=cmd.idempotency_key,
                    request_hash=digest,
                    resource_id=str(credit_note.id),
                    status_code=201,
                    created_at=datetime.now(UTC),
                )
            )
        await uow.commit()
        return await load_view(uow, credit_note)


@retrying
async def apply_credit_note(cmd: ApplyCreditNote, uow: UnitOfWork, ctx: Context) -> CreditNoteView:
    """Apply part of a credit note to an open invoice of the same customer and currency,
    within what the note has left and the invoice owes."""
    cmd.principal.require(INVOICES_WRITE)
    async with uow:
        credit_note = await find(uow, cmd.credit_note_id, lock=True)
        invoice = await uow.invoices.get_for_update(cmd.invoice_id)
        if invoice is None:
            raise RuleViolation.on("invoice_id", "exists", f"No invoice with id {cmd.invoice_id}.")
        await apply_credit(uow, credit_note, invoice, cmd.amount, actor=cmd.principal.actor)
        await uow.commit()
        return await load_view(uow, credit_note)
