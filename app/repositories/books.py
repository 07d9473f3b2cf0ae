"""Reading the books: the trial balance, the journal export, a customer's journal lines,
receivables aging, and the reconciliations ``lading check`` runs. Aggregates are computed by
the database (indexed sums), never by replaying the journal in Python."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, case, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.ledger import JournalEntry, JournalLine
from app.repositories.payments import (
    CreditApplication,
    CreditNote,
    Payment,
    PaymentApplication,
    Refund,
)

ZERO = Decimal(0)
# Invoices that posted a receivable: issued, or issued and voided later.
POSTED_STATUSES = ("issued", "void")


@dataclass(frozen=True)
class AccountTotal:
    account: str
    currency: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class ExportLine:
    line_id: uuid.UUID
    entry_id: uuid.UUID
    posted_at: datetime
    memo: str
    source_type: str
    source_id: str
    action: str
    account: str
    customer_code: str | None
    currency: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class CustomerMovement:
    """The net of one entry on a customer's receivable and credit accounts, in a currency:
    what the entry changed in what the customer owes."""

    entry_id: uuid.UUID
    posted_at: datetime
    memo: str
    source_type: str
    source_id: str
    action: str
    currency: str
    amount: Decimal


PLACES = Decimal("0.0001")  # the scale of money columns


def _dec(value: Any) -> Decimal:
    """A sum as the database gave it (SQLite sums NUMERIC as floating point) at the scale
    of the money columns."""
    return Decimal(str(value)).quantize(PLACES) if value is not None else ZERO


def _nonzero(expr: Any) -> ColumnElement[bool]:
    """``expr`` is not zero at the money scale (robust to SQLite's floating-point sums)."""
    return func.round(expr, 4) != 0


def _above(expr: Any, limit: Any) -> ColumnElement[bool]:
    return func.round(expr - limit, 4) > 0


def _active_at(reversed_at: Any, at: datetime | None) -> ColumnElement[bool]:
    if at is None:
        return reversed_at.is_(None)  # type: ignore[no-any-return]
    return or_(reversed_at.is_(None), reversed_at > at)


class BooksRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the journal ------------------------------------------------------------------------

    async def account_totals(self, before: datetime) -> list[AccountTotal]:
        """Debits and credits per account and currency of entries posted before ``before``."""
        stmt = (
            select(
                JournalLine.account,
                JournalLine.currency,
                func.sum(JournalLine.debit),
                func.sum(JournalLine.credit),
            )
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(JournalEntry.posted_at < before)
            .group_by(JournalLine.account, JournalLine.currency)
            .order_by(JournalLine.currency, JournalLine.account)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [AccountTotal(a, c, _dec(d), _dec(k)) for a, c, d, k in rows]

    async def export_batch(
        self,
        start: datetime,
        end: datetime,
        after: tuple[datetime, uuid.UUID, uuid.UUID] | None,
        limit: int,
    ) -> list[ExportLine]:
        """Journal lines of entries posted in [start, end), in (posted_at, entry, line) order,
        the ``limit`` after ``after`` (keyset)."""
        stmt = (
            select(
                JournalLine.id,
                JournalEntry.id,
                JournalEntry.posted_at,
                JournalEntry.memo,
                JournalEntry.source_type,
                JournalEntry.source_id,
                JournalEntry.action,
                JournalLine.account,
                Customer.code,
                JournalLine.currency,
                JournalLine.debit,
                JournalLine.credit,
            )
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .outerjoin(Customer, Customer.id == JournalLine.customer_id)
            .where(JournalEntry.posted_at >= start, JournalEntry.posted_at < end)
            .order_by(JournalEntry.posted_at, JournalEntry.id, JournalLine.id)
            .limit(limit)
        )
        if after is not None:
            key = tuple_(JournalEntry.posted_at, JournalEntry.id, JournalLine.id)
            values: list[Any] = list(after)
            stmt = stmt.where(key > tuple_(*values))
        rows = (await self.session.execute(stmt)).tuples().all()
        return [ExportLine(*row) for row in rows]

    def _customer_net(self) -> ColumnElement[Any]:
        return func.sum(JournalLine.debit - JournalLine.credit)

    async def customer_balances(
        self, customer_id: uuid.UUID, accounts: Sequence[str], before: datetime
    ) -> dict[str, Decimal]:
        """Per currency, the customer's net (debits − credits) on ``accounts`` before ``before``."""
        stmt = (
            select(JournalLine.currency, self._customer_net())
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(
                JournalLine.customer_id == customer_id,
                JournalLine.account.in_(accounts),
                JournalEntry.posted_at < before,
            )
            .group_by(JournalLine.currency)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return {c: _dec(x) for c, x in rows}

    async def customer_movements(
        self,
        customer_id: uuid.UUID,
        accounts: Sequence[str],
        start: datetime,
        end: datetime,
        limit: int,
    ) -> list[CustomerMovement]:
        """The entries in [start, end) that changed the customer's net on ``accounts`` (those
        that net to zero, such as an application, are left out), oldest first."""
        net = self._customer_net()
        stmt = (
            select(
                JournalEntry.id,
                JournalEntry.posted_at,
                JournalEntry.memo,
                JournalEntry.source_type,
                JournalEntry.source_id,
                JournalEntry.action,
                JournalLine.currency,
                net,
            )
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .where(
                JournalLine.customer_id == customer_id,
                JournalLine.account.in_(accounts),
                JournalEntry.posted_at >= start,
                JournalEntry.posted_at < end,
            )
            .group_by(
                JournalEntry.id,
                JournalEntry.posted_at,
                JournalEntry.memo,
                JournalEntry.source_type,
                JournalEntry.source_id,
                JournalEntry.action,
                JournalLine.currency,
            )
            .having(_nonzero(net))
            .order_by(JournalEntry.posted_at, JournalEntry.id, JournalLine.currency)
            .limit(limit)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [
            CustomerMovement(e, at, memo, st, sid, action, currency, _dec(x))
            for e, at, memo, st, sid, action, currency, x in rows
        ]

    async def document_numbers(self, source_type: str, ids: Sequence[uuid.UUID]) -> dict[str, str]:
        """The numbers of the documents journal entries came from (by their id as text)."""
        model: Any = {
            "invoice": Invoice,
            "payment": Payment,
            "credit_note": CreditNote,
            "refund": Refund,
        }.get(source_type)
        if model is None or not ids:
            return {}
        rows = await self.session.execute(select(model.id, model.number).where(model.id.in_(ids)))
        return {str(i): n for i, n in rows.tuples()}

    async def unbalanced_entries(self) -> list[tuple[uuid.UUID, str, Decimal, Decimal]]:
        """(entry, currency, debits, credits) of every entry whose debits differ from its
        credits in a currency."""
        stmt = (
            select(
                JournalLine.entry_id,
                JournalLine.currency,
                func.sum(JournalLine.debit),
                func.sum(JournalLine.credit),
            )
            .group_by(JournalLine.entry_id, JournalLine.currency)
            .having(_nonzero(func.sum(JournalLine.debit) - func.sum(JournalLine.credit)))
            .order_by(JournalLine.entry_id)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [(e, c, _dec(d), _dec(k)) for e, c, d, k in rows]

    async def receivables_in_journal(self) -> dict[tuple[uuid.UUID, str], Decimal]:
        """Each customer's receivable (1122) balance per currency, from the journal."""
        stmt = (
            select(JournalLine.customer_id, JournalLine.currency, self._customer_net())
            .where(JournalLine.account == "1122")
            .group_by(JournalLine.customer_id, JournalLine.currency)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return {(c, cur): _dec(x) for c, cur, x in rows if c is not None}

    # --- documents --------------------------------------------------------------------------

    def _payments_applied(self, at: datetime | None = None) -> Any:
        """Per invoice, its active payment applications' ``applied`` (at ``at``: made then
        and not reversed by then)."""
        stmt = select(
            PaymentApplication.invoice_id.label("invoice_id"),
            func.sum(PaymentApplication.applied).label("amount"),
        ).where(_active_at(PaymentApplication.reversed_at, at))
        if at is not None:
            stmt = stmt.where(PaymentApplication.applied_at <= at)
        return stmt.group_by(PaymentApplication.invoice_id).subquery()

    def _credits_applied(self, at: datetime | None = None) -> Any:
        stmt = select(
            CreditApplication.invoice_id.label("invoice_id"),
            func.sum(CreditApplication.amount).label("amount"),
        ).where(_active_at(CreditApplication.reversed_at, at))
        if at is not None:
            stmt = stmt.where(CreditApplication.applied_at <= at)
        return stmt.group_by(CreditApplication.invoice_id).subquery()

    async def receivables_in_documents(self) -> dict[tuple[uuid.UUID, str], Decimal]:
        """Per customer and currency: invoices issued − applied payments − applied credit."""
        paid, credited = self._payments_applied(), self._credits_applied()
        owed = Invoice.total - func.coalesce(paid.c.amount, 0) - func.coalesce(credited.c.amount, 0)
        stmt = (
            select(Invoice.customer_id, Invoice.currency, func.sum(owed))
            .outerjoin(paid, paid.c.invoice_id == Invoice.id)
            .outerjoin(credited, credited.c.invoice_id == Invoice.id)
            .where(Invoice.status.in_(POSTED_STATUSES), Invoice.issued_at.is_not(None))
            .group_by(Invoice.customer_id, Invoice.currency)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return {(c, cur): _dec(x) for c, cur, x in rows}

    async def invoice_application_rows(self) -> list[Row[Any]]:
        """Invoices whose stored paid/credited amounts differ from their active applications,
        or whose applications exceed their total: (id, number, total, amount_paid,
        amount_credited, applications' paid, applications' credited)."""
        paid, credited = self._payments_applied(), self._credits_applied()
        by_apps_paid = func.coalesce(paid.c.amount, 0)
        by_apps_credited = func.coalesce(credited.c.amount, 0)
        stmt = (
            select(
                Invoice.id,
                Invoice.number,
                Invoice.total,
                Invoice.amount_paid,
                Invoice.amount_credited,
                by_apps_paid,
                by_apps_credited,
            )
            .outerjoin(paid, paid.c.invoice_id == Invoice.id)
            .outerjoin(credited, credited.c.invoice_id == Invoice.id)
            .where(
                or_(
                    _nonzero(Invoice.amount_paid - by_apps_paid),
                    _nonzero(Invoice.amount_credited - by_apps_credited),
                    _above(Invoice.amount_paid + Invoice.amount_credited, Invoice.total),
                    _above(by_apps_paid + by_apps_credited, Invoice.total),
                )
            )
            .order_by(Invoice.number)
        )
        return list((await self.session.execute(stmt)).all())

    async def payment_application_rows(self) -> list[Row[Any]]:
        """Payments whose ``amount_applied`` differs from their active applications, or that
        used more than their amount: (id, number, amount, amount_applied, amount_refunded,
        applications' sum)."""
        apps = (
            select(
                PaymentApplication.payment_id.label("payment_id"),
                func.sum(PaymentApplication.amount).label("amount"),
            )
            .where(PaymentApplication.reversed_at.is_(None))
            .group_by(PaymentApplication.payment_id)
            .subquery()
        )
        applied = func.coalesce(apps.c.amount, 0)
        stmt = (
            select(
                Payment.id,
                Payment.number,
                Payment.amount,
                Payment.amount_applied,
                Payment.amount_refunded,
                applied,
            )
            .outerjoin(apps, apps.c.payment_id == Payment.id)
            .where(
                or_(
                    _nonzero(Payment.amount_applied - applied),
                    _above(Payment.amount_applied + Payment.amount_refunded, Payment.amount),
                    _above(applied + Payment.amount_refunded, Payment.amount),
                )
            )
            .order_by(Payment.number)
        )
        return list((await self.session.execute(stmt)).all())

    async def credit_note_application_rows(self) -> list[Row[Any]]:
        """Credit notes whose ``amount_applied`` differs from their active applications, or
        that gave more than their total: (id, number, total, amount_applied, amount_refunded,
        applications' sum)."""
        apps = (
            select(
                CreditApplication.credit_note_id.label("credit_note_id"),
                func.sum(CreditApplication.amount).label("amount"),
            )
            .where(CreditApplication.reversed_at.is_(None))
            .group_by(CreditApplication.credit_note_id)
            .subquery()
        )
        applied = func.coalesce(apps.c.amount, 0)
        stmt = (
            select(
                CreditNote.id,
                CreditNote.number,
                CreditNote.total,
                CreditNote.amount_applied,
                CreditNote.amount_refunded,
                applied,
            )
            .outerjoin(apps, apps.c.credit_note_id == CreditNote.id)
            .where(
                or_(
                    _nonzero(CreditNote.amount_applied - applied),
                    _above(
                        CreditNote.amount_applied + CreditNote.amount_refunded, CreditNote.total
                    ),
                    _above(applied + CreditNote.amount_refunded, CreditNote.total),
                )
            )
            .order_by(CreditNote.number)
        )
        return list((await self.session.execute(stmt)).all())

    # --- receivables aging ------------------------------------------------------------------

    async def open_by_bucket(
        self,
        as_of: date,
        end_of_day: datetime,
        bounds: Sequence[tuple[str, date | None, date | None]],
        customer_id: uuid.UUID | None,
    ) -> list[tuple[uuid.UUID, str, str, Decimal]]:
        """(customer, currency, bucket, open amount) of invoices issued by ``as_of`` and open
        then, counting only applications made by ``end_of_day`` and not reversed by then;
        ``bounds``: (bucket, earliest due date, latest due date) (None: unbounded; an invoice
        without a due date is due on issue)."""
        paid = self._payments_applied(end_of_day)
        credited = self._credits_applied(end_of_day)
        open_amount = (
            Invoice.total - func.coalesce(paid.c.amount, 0) - func.coalesce(credited.c.amount, 0)
        )
        due = func.coalesce(Invoice.due_date, Invoice.issue_date)
        whens = [(_between(due, lo, hi), literal(name)) for name, lo, hi in bounds]
        per_invoice = (
            select(
                Invoice.customer_id.label("customer_id"),
                Invoice.currency.label("currency"),
                case(*whens, else_=literal(bounds[-1][0])).label("bucket"),
                open_amount.label("open"),
            )
            .outerjoin(paid, paid.c.invoice_id == Invoice.id)
            .outerjoin(credited, credited.c.invoice_id == Invoice.id)
            .where(
                Invoice.status.in_(POSTED_STATUSES),
                Invoice.issued_at.is_not(None),
                Invoice.issue_date <= as_of,
                or_(Invoice.voided_at.is_(None), Invoice.voided_at > end_of_day),
                _above(open_amount, 0),
            )
        )
        if customer_id is not None:
            per_invoice = per_invoice.where(Invoice.customer_id == customer_id)
        sub = per_invoice.subquery()
        stmt = (
            select(sub.c.customer_id, sub.c.currency, sub.c.bucket, func.sum(sub.c.open))
            .group_by(sub.c.customer_id, sub.c.currency, sub.c.bucket)
            .order_by(sub.c.customer_id, sub.c.currency)
        )
        rows = (await self.session.execute(stmt)).tuples().all()
        return [(c, cur, b, _dec(x)) for c, cur, b, x in rows]

    async def invoiced_between(
        self, first: date, last: date, customer_id: uuid.UUID | None
    ) -> list[tuple[uuid.UUID, str, Decimal]]:
        """(customer, currency, invoiced total) of invoices issued from ``first`` to ``last``."""
        stmt = (
            select(Invoice.customer_id, Invoice.currency, func.sum(Invoice.total))
            .where(
                Invoice.status.in_(POSTED_STATUSES),
                Invoice.issued_at.is_not(None),
                Invoice.issue_date >= first,
                Invoice.issue_date <= last,
            )
            .group_by(Invoice.customer_id, Invoice.currency)
        )
        if customer_id is not None:
            stmt = stmt.where(Invoice.customer_id == customer_id)
        rows = (await self.session.execute(stmt)).tuples().all()
        return [(c, cur, _dec(x)) for c, cur, x in rows]

    async def customers(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
        if not ids:
            return {}
        stmt = select(Customer.id, Customer.code, Customer.name).where(Customer.id.in_(ids))
        return {i: (c, n) for i, c, n in (await self.session.execute(stmt)).tuples()}


def _between(column: Any, lo: date | None, hi: date | None) -> ColumnElement[bool]:
    parts = []
    if lo is not None:
        parts.append(column >= lo)
    if hi is not None:
        parts.append(column <= hi)
    return and_(*parts) if parts else literal(True)
