"""Bank statements: the commands (import a file, match a line by hand, ignore a line), how a
line becomes a payment (``settle_line``, through ``settling``), and the handlers of the two
line commands. The import itself is ``bank_import``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.auth import Principal
from app.domain.billing.bank_matching import check_can_ignore, check_can_match
from app.domain.billing.bank_statements import LineStatus, MatchRule, reference_of
from app.domain.billing.events import BankLineIgnored, BankLineMatched
from app.domain.billing.invoices import balance
from app.domain.billing.settlement import OpenInvoice, PaymentMethod, oldest_due_first
from app.domain.errors import NotFound, RuleViolation
from app.domain.money import ZERO
from app.repositories.bank_statements import BankStatementLine
from app.repositories.base import snapshot
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.services.billing.bank_queries import LineView
from app.services.billing.settling import apply_payment, receive_payment
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class ImportBankStatement:
    """Import a bank statement file (CSV bytes) of received transfers."""

    principal: Principal
    data: bytes
    currency: str = "CNY"
    filename: str | None = None


@dataclass(frozen=True, kw_only=True)
class MatchBankLine:
    """Finance says whose payment a line is, and (optionally) which invoices it pays."""

    principal: Principal
    line_id: uuid.UUID
    customer_id: uuid.UUID
    invoice_ids: tuple[uuid.UUID, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class IgnoreBankLine:
    principal: Principal
    line_id: uuid.UUID
    reason: str


PAYMENTS_WRITE = "payments:write"


async def settle_line(
    uow: UnitOfWork,
    line: BankStatementLine,
    customer: Customer,
    invoices: list[Invoice],
    *,
    actor: str,
    rule: MatchRule,
) -> None:
    """Receive the line's amount from ``customer`` (bank transfer, the memo as reference) and
    apply it to ``invoices`` (locked by the caller) in order, each up to what it owes; what is
    left stays the customer's unapplied credit. The line is matched."""
    before = snapshot(line)
    payment = await receive_payment(
        uow,
        customer,
        amount=line.amount,
        currency=line.currency,
        method=PaymentMethod.BANK_TRANSFER,
        reference=reference_of(line.memo, line.payer_account),
        received_on=line.booked_on,
        actor=actor,
    )
    left = line.amount
    first: Invoice | None = None
    for invoice in invoices:
        take = min(left, balance(invoice.total, invoice.amount_paid, invoice.amount_credited))
        if take <= ZERO:
            continue
        await apply_payment(uow, payment, invoice, take, actor=actor)
        first = first or invoice
        left -= take
    line.status = LineStatus.MATCHED.value
    line.customer_id = customer.id
    line.invoice_id = first.id if first else None
    line.payment_id = payment.id
    line.matched_rule = rule.value
    line.matched_by = actor
    await uow.flush()
    uow.record(BankLineMatched(actor=actor, entity_id=line.id, before=before, after=snapshot(line)))


async def _line(uow: UnitOfWork, line_id: uuid.UUID) -> BankStatementLine:
    line = await uow.bank_statements.line(line_id, lock=True)
    if line is None:
        raise NotFound(f"No bank statement line with id {line_id}.")
    return line


async def _chosen(
    uow: UnitOfWork, line: BankStatementLine, customer_id: uuid.UUID, ids: tuple[uuid.UUID, ...]
) -> list[Invoice]:
    """The named invoices (locked, by id), in the order named, each checked."""
    locked = {i: await uow.invoices.get_for_update(i) for i in sorted(set(ids), key=str)}
    out: list[Invoice] = []
    for n, invoice_id in enumerate(ids):
        invoice = locked[invoice_id]
        field = f"invoice_ids[{n}]"
        if invoice is None:
            raise RuleViolation.on(field, "exists", f"No invoice with id {invoice_id}.")
        if invoice.customer_id != customer_id:
            raise RuleViolation.on(field, "same_customer", "The invoice is another customer's.")
        if invoice.currency != line.currency:
            raise RuleViolation.on(
                field,
                "same_currency",
                f"The invoice is in {invoice.currency}, not {line.currency}.",
            )
        if invoice not in out:
            out.append(invoice)
    return out


async def _oldest_due(
    uow: UnitOfWork, line: BankStatementLine, customer_id: uuid.UUID
) -> list[Invoice]:
    open_ = await uow.bank_statements.open_invoices(customer_id, line.currency)
    plan = oldest_due_first(
        (
            OpenInvoice(
                i.id, i.due_date, i.number, balance(i.total, i.amount_paid, i.amount_credited)
            )
            for i in open_
        ),
        line.amount,
    )
    invoices: list[Invoice] = []
    for invoice_id, _ in sorted(plan, key=lambda p: str(p[0])):
        invoices.append(await uow.invoices.get_for_update_or_raise(invoice_id))
    order = [p[0] for p in plan]
    return sorted(invoices, key=lambda i: order.index(i.id))


@retrying
async def match_line(cmd: MatchBankLine, uow: UnitOfWork, ctx: Context) -> LineView:
    """Receive the line's money from the customer finance named and apply it: to the named
    invoices in order, or oldest due first, each up to what it owes; the rest stays the
    customer's unapplied credit. A line is matched once (409 after)."""
    cmd.principal.require(PAYMENTS_WRITE)
    async with uow:
        line = await _line(uow, cmd.line_id)
        check_can_match(line.status)
        customer = await uow.customers.get(cmd.customer_id)
        if customer is None:
            raise RuleViolation.on("customer_id", "exists", f"No customer {cmd.customer_id}.")
        if cmd.invoice_ids:
            invoices = await _chosen(uow, line, customer.id, cmd.invoice_ids)
        else:
            invoices = await _oldest_due(uow, line, customer.id)
        await settle_line(
            uow, line, customer, invoices, actor=cmd.principal.actor, rule=MatchRule.MANUAL
        )
        statement = await uow.bank_statements.get_or_raise(line.statement_id)
        statement.matched_count += 1
        await uow.commit()
        return LineView.of(line)


@retrying
async def ignore_line(cmd: IgnoreBankLine, uow: UnitOfWork, ctx: Context) -> LineView:
    """Set an unmatched line aside (a refund from a supplier, a transfer between own
    accounts): it leaves the queue; no payment. The reason is kept in its audit event."""
    cmd.principal.require(PAYMENTS_WRITE)
    async with uow:
        line = await _line(uow, cmd.line_id)
        check_can_ignore(line.status)
        before = snapshot(line)
        line.status = LineStatus.IGNORED.value
        line.matched_by = cmd.principal.actor
        await uow.flush()
        uow.record(
            BankLineIgnored(
                actor=cmd.principal.actor,
                entity_id=line.id,
                before=before,
                after={**snapshot(line), "reason": cmd.reason},
                payload={"reason": cmd.reason, "at": datetime.now(UTC).isoformat()},
            )
        )
        await uow.commit()
        return LineView.of(line)
