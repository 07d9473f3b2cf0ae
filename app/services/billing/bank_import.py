"""Importing a bank statement: parse the file (pure, before any transaction), then in one unit
of work store the statement and its lines and turn each matched line into a payment applied
to its invoice (``settle_line``). The same file again answers its first statement; a transfer
an earlier statement holds is a duplicate and pays nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.domain.billing.bank_matching import (
    Match,
    OpenInvoiceRef,
    Payer,
    identify_payer,
    invoice_numbers,
    match_by_customer_amount,
    match_by_invoice_number,
)
from app.domain.billing.bank_statements import LineStatus, StatementLine, digest, parse_statement
from app.domain.billing.events import BankStatementImported
from app.domain.billing.invoices import InvoiceStatus, balance
from app.domain.money import ZERO
from app.repositories.bank_statements import BankStatement, BankStatementLine
from app.repositories.base import snapshot
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.services.billing.bank_commands import PAYMENTS_WRITE, ImportBankStatement, settle_line
from app.services.billing.bank_queries import LineView, StatementView, load_statement
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


def _ref(invoice: Invoice) -> OpenInvoiceRef:
    owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
    if invoice.status != InvoiceStatus.ISSUED:
        owed = ZERO
    return OpenInvoiceRef(invoice.id, invoice.number, invoice.customer_id, invoice.currency, owed)


def _payer(customer: Customer) -> Payer:
    registration = customer.tax_registration or {}
    return Payer(
        customer.id,
        customer.name,
        registration.get("buyer_name") or None,
        registration.get("account") or None,
    )


async def _match(uow: UnitOfWork, line: StatementLine, payers: list[Payer]) -> Match | None:
    """Rule (a), else rule (b), against the invoices as this unit of work left them (an
    earlier line of the file may have paid one)."""
    named = await uow.bank_statements.invoices_numbered(invoice_numbers(line.memo))
    found = match_by_invoice_number(line, [_ref(i) for i in named])
    if found is not None:
        return found
    customer_id = identify_payer(line.payer_name, line.payer_account, payers)
    if customer_id is None:
        return None
    open_ = await uow.bank_statements.open_invoices(customer_id, line.currency)
    return match_by_customer_amount(line, customer_id, [_ref(i) for i in open_])


def _row(statement_id: uuid.UUID, line: StatementLine) -> BankStatementLine:
    return BankStatementLine(
        id=uuid.uuid4(),
        statement_id=statement_id,
        line_no=line.line_no,
        fingerprint=line.fingerprint,
        booked_on=line.booked_on,
        amount=line.amount,
        currency=line.currency,
        payer_name=line.payer_name,
        payer_account=line.payer_account,
        memo=line.memo,
        status=LineStatus.UNMATCHED.value,
    )


def _duplicate(line: StatementLine, of: uuid.UUID) -> LineView:
    return LineView(
        id=None,
        statement_id=None,
        line_no=line.line_no,
        booked_on=line.booked_on,
        amount=line.amount,
        currency=line.currency,
        payer_name=line.payer_name,
        payer_account=line.payer_account,
        memo=line.memo,
        status=LineStatus.DUPLICATE.value,
        duplicate_of=of,
    )


@retrying
async def import_statement(
    cmd: ImportBankStatement, uow: UnitOfWork, ctx: Context
) -> StatementView:
    """Store the statement; pay what matches; queue the rest. A malformed file (encoding,
    columns, a bad row) is refused before anything is written."""
    cmd.principal.require(PAYMENTS_WRITE)
    parsed = parse_statement(cmd.data, cmd.currency)
    actor = cmd.principal.actor
    async with uow:
        known = await uow.bank_statements.by_digest(digest(cmd.data))
        if known is not None:
            return await load_statement(uow, known, created=False)
        seen = await uow.bank_statements.seen_fingerprints([x.fingerprint for x in parsed.lines])
        names = sorted({x.payer_name for x in parsed.lines})
        accounts = sorted({x.payer_account for x in parsed.lines if x.payer_account})
        payers = [_payer(c) for c in await uow.bank_statements.payers(names, accounts)]
        statement = BankStatement(
            id=uuid.uuid4(),
            digest=digest(cmd.data),
            filename=cmd.filename,
            encoding=parsed.encoding,
            imported_at=datetime.now(UTC),
            imported_by=actor,
            line_count=0,
            matched_count=0,
        )
        uow.bank_statements.add(statement)
        await uow.flush()
        views: list[LineView] = []
        for line in parsed.lines:
            if line.fingerprint in seen:
                views.append(_duplicate(line, seen[line.fingerprint]))
                continue
            row = _row(statement.id, line)
            uow.bank_statements.add(row)
            await uow.flush()
            found = await _match(uow, line, payers)
            if found is not None:
                customer = await uow.customers.get_or_raise(found.customer_id)
                invoice = await uow.invoices.get_for_update_or_raise(found.invoice_id)
                await settle_line(uow, row, customer, [invoice], actor=actor, rule=found.rule)
                statement.matched_count += 1
            statement.line_count += 1
            views.append(LineView.of(row))
        await uow.flush()
        uow.record(
            BankStatementImported(
                actor=actor,
                entity_id=statement.id,
                after=snapshot(statement),
                payload={
                    **snapshot(statement),
                    "duplicates": sum(v.status == LineStatus.DUPLICATE for v in views),
                    "skipped": len(parsed.skipped),
                },
            )
        )
        await uow.commit()
        return StatementView(statement, views, parsed.skipped, created=True)
