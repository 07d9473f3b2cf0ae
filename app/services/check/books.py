"""The identities of the books (invariant 9): debits equal credits in every entry and overall,
per currency; each customer's receivable (1122) in the journal equals its invoices less applied
payments and credit notes; each invoice's, payment's and credit note's stored applied amounts
equal their active applications and stay within their totals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.stock import StockViolation
from app.repositories.books import AccountTotal
from app.services.check.common import amount as _d
from app.services.check.common import plain as _plain
from app.services.unit_of_work import UnitOfWork

# Every entry ever posted (the trial balance's bound, far enough ahead).
CHECK_HORIZON = datetime(9999, 12, 31, tzinfo=UTC)


async def check_books(uow: UnitOfWork) -> list[StockViolation]:
    """The identities of the books alone (invariant 9)."""
    async with uow:
        return await book_violations(uow)


async def book_violations(uow: UnitOfWork) -> list[StockViolation]:
    return [
        *await _entries_balance(uow),
        *await _receivables_reconcile(uow),
        *await _invoice_applications(uow),
        *await _payment_applications(uow),
        *await _credit_note_applications(uow),
    ]


def _books_violation(rule: str, record_type: str, record_id: object, detail: str) -> StockViolation:
    return StockViolation(
        None, None, rule, detail, record_type=record_type, record_id=str(record_id)
    )


async def _entries_balance(uow: UnitOfWork) -> list[StockViolation]:
    out = [
        _books_violation(
            "entry_unbalanced",
            "journal_entry",
            entry_id,
            f"{currency} debits {_plain(debit)} differ from credits {_plain(credit)}",
        )
        for entry_id, currency, debit, credit in await uow.books.unbalanced_entries()
    ]
    for total in _journal_totals(await uow.books.account_totals(CHECK_HORIZON)):
        out.append(total)
    return out


def _journal_totals(sums: list[AccountTotal]) -> list[StockViolation]:
    per: dict[str, tuple[Decimal, Decimal]] = {}
    for s in sums:
        d, c = per.get(s.currency, (Decimal(0), Decimal(0)))
        per[s.currency] = (d + s.debit, c + s.credit)
    return [
        _books_violation(
            "journal_unbalanced",
            "journal",
            currency,
            f"{currency} debits {_plain(d)} differ from credits {_plain(c)} over the journal",
        )
        for currency, (d, c) in sorted(per.items())
        if d != c
    ]


async def _receivables_reconcile(uow: UnitOfWork) -> list[StockViolation]:
    journal = await uow.books.receivables_in_journal()
    documents = await uow.books.receivables_in_documents()
    out = []
    for customer_id, currency in sorted(set(journal) | set(documents), key=str):
        booked = journal.get((customer_id, currency), Decimal(0))
        owed = documents.get((customer_id, currency), Decimal(0))
        if booked != owed:
            out.append(
                _books_violation(
                    "receivable_mismatch",
                    "customer",
                    customer_id,
                    f"the {currency} receivable in the journal {_plain(booked)} differs from "
                    f"invoices less applied payments and credit {_plain(owed)}",
                )
            )
    return out


async def _invoice_applications(uow: UnitOfWork) -> list[StockViolation]:
    out = []
    for (
        id_,
        number,
        total,
        paid,
        credited,
        apps_paid,
        apps_credited,
    ) in await uow.books.invoice_application_rows():
        name = f"invoice {number}"
        if _d(paid) != _d(apps_paid):
            out.append(
                _books_violation(
                    "invoice_paid_mismatch",
                    "invoice",
                    id_,
                    f"{name}: amount_paid {_plain(paid)} differs from its active payment "
                    f"applications' {_plain(apps_paid)}",
                )
            )
        if _d(credited) != _d(apps_credited):
            out.append(
                _books_violation(
                    "invoice_credited_mismatch",
                    "invoice",
                    id_,
                    f"{name}: amount_credited {_plain(credited)} differs from its active credit "
                    f"applications' {_plain(apps_credited)}",
                )
            )
        applied = max(_d(paid) + _d(credited), _d(apps_paid) + _d(apps_credited))
        if applied > _d(total):
            out.append(
                _books_violation(
                    "invoice_over_applied",
                    "invoice",
                    id_,
                    f"{name}: {_plain(applied)} applied exceeds its total {_plain(total)}",
                )
            )
    return out


async def _payment_applications(uow: UnitOfWork) -> list[StockViolation]:
    return _document_uses("payment", "amount", await uow.books.payment_application_rows())


async def _credit_note_applications(uow: UnitOfWork) -> list[StockViolation]:
    return _document_uses("credit_note", "total", await uow.books.credit_note_application_rows())


def _document_uses(kind: str, of: str, rows: list[Any]) -> list[StockViolation]:
    """Payments or credit notes: stored applied amount against their active applications,
    and what they gave (applied and refunded) within their amount."""
    out = []
    for id_, number, amount, applied, refunded, apps in rows:
        name = f"{kind.replace('_', ' ')} {number}"
        if _d(applied) != _d(apps):
            out.append(
                _books_violation(
                    f"{kind}_applied_mismatch",
                    kind,
                    id_,
                    f"{name}: amount_applied {_plain(applied)} differs from its active "
                    f"applications' {_plain(apps)}",
                )
            )
        used = max(_d(applied), _d(apps)) + _d(refunded)
        if used > _d(amount):
            out.append(
                _books_violation(
                    f"{kind}_over_used",
                    kind,
                    id_,
                    f"{name}: {_plain(used)} applied and refunded exceeds its {of} "
                    f"{_plain(amount)}",
                )
            )
    return out
