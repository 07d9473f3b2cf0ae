"""Reading the documents the books reconcile with: receivables from invoices and their
applications, applied amounts against applications, and receivables aging as of a date."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.repositories.books_journal import (
    POSTED_STATUSES,
    _above,
    _active_at,
    _dec,
    _nonzero,
)
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.payments import CreditApplication, CreditNote, Payment, PaymentApplication


class DocumentReads:
    session: AsyncSession
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
        return await self._application_rows(
            Payment, Payment.amount, PaymentApplication, PaymentApplication.payment_id
        )

    async def credit_note_application_rows(self) -> list[Row[Any]]:
        """Credit notes whose ``amount_applied`` differs from their active applications, or
        that gave more than their total: (id, number, total, amount_applied, amount_refunded,
        applications' sum)."""
        return await self._application_rows(
            CreditNote, CreditNote.total, CreditApplication, CreditApplication.credit_note_id
        )

    async def _application_rows(
        self,
        document: type[Payment] | type[CreditNote],
        amount: InstrumentedAttribute[Decimal],
        application: type[PaymentApplication] | type[CreditApplication],
        document_id: InstrumentedAttribute[uuid.UUID],
    ) -> list[Row[Any]]:
        """Money documents (payments, credit notes) whose applied amount is not the sum of
        their active applications, or that gave out more than they hold."""
        apps = (
            select(document_id.label("document_id"), func.sum(application.amount).label("amount"))
            .where(application.reversed_at.is_(None))
            .group_by(document_id)
            .subquery()
        )
        applied = func.coalesce(apps.c.amount, 0)
        stmt = (
            select(
                document.id,
                document.number,
                amount,
                document.amount_applied,
                document.amount_refunded,
                applied,
            )
            .outerjoin(apps, apps.c.document_id == document.id)
            .where(
                or_(
                    _nonzero(document.amount_applied - applied),
                    _above(document.amount_applied + document.amount_refunded, amount),
                    _above(applied + document.amount_refunded, amount),
                )
            )
            .order_by(document.number)
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
