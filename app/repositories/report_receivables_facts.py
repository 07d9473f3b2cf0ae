"""The receivables facts, derived from the transaction tables for a set of invoices (a fact and
its money per day) or of customers (the credit position), and written in place of what was
there; the projector, the rebuild and ``lading check`` share these derivations."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports import receivables as rules
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.repositories.payments import CreditApplication, PaymentApplication
from app.repositories.report_receivables_models import (
    ReportArCredit,
    ReportArInvoice,
    ReportArInvoiceDay,
)
from app.repositories.reviews import ReviewRepository

Row = dict[str, Any]


@dataclass
class Touched:
    """What a replacement moved: the days and the keys (customers, groups) it stood and
    stands on, so the roll-ups of exactly those are summed again."""

    days: set[date] = field(default_factory=set)
    due_dates: set[date] = field(default_factory=set)
    customers: set[uuid.UUID] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)

    def add(self, day: date, customer: uuid.UUID, group: str) -> None:
        self.days.add(day)
        self.customers.add(customer)
        self.groups.add(group)


class ReceivablesFactWriter:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace(self, invoice_ids: Collection[uuid.UUID], touched: Touched) -> None:
        """Derive these invoices' facts and days again, write them in place of the old ones,
        and note in ``touched`` what the old and the new rows stand on."""
        ids = list(invoice_ids)
        if not ids:
            return
        d = ReportArInvoiceDay
        old = await self.session.execute(
            select(d.day, d.customer_id, d.customer_group).where(d.invoice_id.in_(ids))
        )
        for day, customer, group in old:
            touched.add(day, customer, group)
        f = ReportArInvoice
        touched.due_dates |= set(
            (await self.session.scalars(select(f.due_date).where(f.invoice_id.in_(ids)))).all()
        )
        await self.session.execute(delete(d).where(d.invoice_id.in_(ids)))
        await self.session.execute(
            delete(ReportArInvoice).where(ReportArInvoice.invoice_id.in_(ids))
        )
        facts, days = await self.derive(ids)
        for row in days:
            touched.add(row["day"], row["customer_id"], row["customer_group"])
        touched.due_dates |= {row["due_date"] for row in facts}
        if facts:
            await self.session.execute(insert(ReportArInvoice), facts)
        if days:
            await self.session.execute(insert(d), days)

    async def derive(self, ids: Sequence[uuid.UUID]) -> tuple[list[Row], list[Row]]:
        """(facts, days) of the invoices among ``ids`` that count (issued or voided)."""
        i = Invoice
        heads = (
            await self.session.execute(
                select(
                    i.id, i.customer_id, i.currency, i.status, i.issue_date, i.due_date, i.total,
                    Customer.name, Customer.customer_group,
                )
                .join(Customer, Customer.id == i.customer_id)
                .where(i.id.in_(ids))
            )
        ).all()  # fmt: skip
        heads = [h for h in heads if rules.counted(h.status, h.issue_date)]
        if not heads:
            return [], []
        counted = [h.id for h in heads]
        paid = await self._applications(PaymentApplication, PaymentApplication.applied, counted)
        credit = await self._applications(CreditApplication, CreditApplication.amount, counted)
        facts, days = [], []
        for h in heads:
            moves = rules.moves(h.issue_date, h.total, paid[h.id], credit[h.id])
            common = {
                "customer_id": h.customer_id,
                "customer_name": h.name,
                "customer_group": h.customer_group or "",
                "currency": h.currency,
            }
            owed = sum((m.invoiced - m.collected - m.credited for m in moves), rules.ZERO)
            facts.append(
                {
                    "invoice_id": h.id,
                    **common,
                    "issue_date": h.issue_date,
                    "due_date": h.due_date or h.issue_date,
                    "total": h.total,
                    "open_amount": owed,
                }
            )
            days += [
                {
                    "invoice_id": h.id,
                    "day": m.day,
                    **common,
                    "invoiced": m.invoiced,
                    "collected": m.collected,
                    "credited": m.credited,
                }
                for m in moves
            ]
        return facts, days

    async def _applications(
        self, table: Any, amount: Any, ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[rules.Application]]:
        rows = await self.session.execute(
            select(table.invoice_id, amount, table.applied_at, table.reversed_at)
            .where(table.invoice_id.in_(ids))
            .order_by(table.applied_at, table.id)
        )
        out: dict[uuid.UUID, list[rules.Application]] = defaultdict(list)
        for invoice_id, value, applied_at, reversed_at in rows:
            out[invoice_id].append(rules.Application(Decimal(value), applied_at, reversed_at))
        return out

    async def replace_credit(self, customer_ids: Collection[uuid.UUID]) -> None:
        ids = list(customer_ids)
        if not ids:
            return
        await self.session.execute(
            delete(ReportArCredit).where(ReportArCredit.customer_id.in_(ids))
        )
        rows = await self.derive_credit(ids)
        if rows:
            await self.session.execute(insert(ReportArCredit), rows)

    async def derive_credit(self, ids: Sequence[uuid.UUID]) -> list[Row]:
        """Each customer's credit position, by the credit check's own query."""
        reviews = ReviewRepository(self.session)
        customers = await self.session.scalars(select(Customer).where(Customer.id.in_(ids)))
        rows = []
        for c in customers:
            position = await reviews.credit_position(c)
            rows.append(
                {
                    "customer_id": c.id,
                    "customer_code": c.code,
                    "customer_name": c.name,
                    "customer_group": c.customer_group or "",
                    "currency": c.currency,
                    "credit_limit": c.credit_limit,
                    "open_receivables": position.open_receivables,
                    "open_orders": position.open_orders,
                    "exposure": position.exposure,
                }
            )
        return rows
