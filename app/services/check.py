"""``lading check``: verify the invariants across the whole database and list every breach.

- invariant 1: each stock level against its movements ledger, and its bounds;
- the reservation ledger: ``stock.reserved`` equals the sum of its reservations, and each order
  line's ``quantity_reserved`` equals the sum of the line's reservations;
- invariant 3: every order line's quantities stay ordered (read a batch at a time);
- shipments: each order line's shipped quantity equals what its shipped or delivered
  shipments carry, and its delivered quantity what its delivered shipments carry; its
  returned quantity what its received returns took back;
- invariant 9 (the books): debits equal credits in every entry and overall, per currency;
  each customer's receivable (1122) in the journal equals its invoices less applied payments
  and credit notes; each invoice's, payment's and credit note's stored applied amounts equal
  their active applications and stay within their totals (invoiced ≤ shipped is invariant 3).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.orders import LineQuantities
from app.domain.shipments import DEPARTED, ShipmentStatus
from app.domain.stock import StockViolation, stock_violations
from app.repositories.books import AccountTotal
from app.services.unit_of_work import UnitOfWork

LINE_BATCH = 5000
# Every entry ever posted (the trial balance's bound, far enough ahead).
CHECK_HORIZON = datetime(9999, 12, 31, tzinfo=UTC)


def _d(value: object) -> Decimal:
    """An amount read back from a sum (SQLite sums as floating point), at the money scale."""
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def _plain(value: object) -> str:
    return format(Decimal(str(value)).normalize(), "f")


async def check_invariants(uow: UnitOfWork) -> list[StockViolation]:
    async with uow:
        return [
            *await _stock_levels(uow),
            *await _reservation_ledger(uow),
            *await _line_reservations(uow),
            *await _line_shipments(uow),
            *await _line_returns(uow),
            *await _production_completions(uow),
            *await _line_quantities(uow),
            *await _books(uow),
        ]


async def check_books(uow: UnitOfWork) -> list[StockViolation]:
    """The identities of the books alone (invariant 9)."""
    async with uow:
        return await _books(uow)


async def _books(uow: UnitOfWork) -> list[StockViolation]:
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


async def _stock_levels(uow: UnitOfWork) -> list[StockViolation]:
    violations: list[StockViolation] = []
    for row in await uow.stock.compare_levels_with_ledger():
        violations += stock_violations(
            str(row.warehouse_id), str(row.product_id), row.on_hand, row.reserved, row.ledger_sum
        )
    return violations


async def _reservation_ledger(uow: UnitOfWork) -> list[StockViolation]:
    return [
        StockViolation(
            str(warehouse_id),
            str(product_id),
            "reservation_ledger_mismatch",
            f"reserved {_plain(reserved)} differs from the reservations' sum {_plain(ledger)}",
        )
        for warehouse_id, product_id, reserved, ledger in (
            await uow.reservations.ledger_mismatches()
        )
    ]


async def _line_reservations(uow: UnitOfWork) -> list[StockViolation]:
    return [
        StockViolation(
            None,
            None,
            "line_reservations_mismatch",
            f"the line's reserved {_plain(reserved)} differs from its reservations' sum "
            f"{_plain(ledger)}",
            order_line_id=str(line_id),
        )
        for line_id, reserved, ledger in await uow.allocation.line_reservation_mismatches()
    ]


async def _line_shipments(uow: UnitOfWork) -> list[StockViolation]:
    mismatches = await uow.shipments.line_shipment_mismatches(
        [s.value for s in DEPARTED], ShipmentStatus.DELIVERED.value
    )
    return [
        StockViolation(
            None,
            None,
            f"line_{kind}_mismatch",
            f"the line's {kind} {_plain(quantity)} differs from its shipments' {_plain(carried)}",
            order_line_id=str(line_id),
        )
        for line_id, kind, quantity, carried in mismatches
    ]


async def _line_returns(uow: UnitOfWork) -> list[StockViolation]:
    return [
        StockViolation(
            None,
            None,
            "line_returned_mismatch",
            f"the line's returned {_plain(q)} differs from its received returns' {_plain(got)}",
            order_line_id=str(line_id),
        )
        for line_id, q, got in await uow.returns.returned_mismatches()
    ]


async def _production_completions(uow: UnitOfWork) -> list[StockViolation]:
    return [
        StockViolation(
            None,
            None,
            "production_completed_mismatch",
            f"{number} completed {_plain(q)}; its production movements {_plain(moved)}",
            record_type="production_request",
            record_id=number,
        )
        for number, q, moved in await uow.production.completion_mismatches()
    ]


async def _line_quantities(uow: UnitOfWork) -> list[StockViolation]:
    """Every line's quantities in order, a batch at a time (forgetting each batch read)."""
    violations: list[StockViolation] = []
    after = None
    while True:
        lines = await uow.allocation.all_line_quantities(after, LINE_BATCH)
        for x in lines:
            quantities = LineQuantities(
                x.quantity_ordered,
                x.quantity_reserved,
                x.quantity_shipped,
                x.quantity_delivered,
                x.quantity_invoiced,
                x.quantity_returned,
                x.quantity_credited,
            )
            violations += [
                StockViolation(None, None, "line_quantities", problem, order_line_id=str(x.id))
                for problem in quantities.violations()
            ]
        if len(lines) < LINE_BATCH:
            return violations
        after = lines[-1].id
        uow.forget()
