"""The receivables summary (registered in ``report_registry``): which invoices and customers a
batch of events touches, their facts derived again, the roll-ups of what those stood and stand
on summed again; the whole of it for the rebuild; a sample compared for ``lading check``.

Events followed (``app.domain.reports.receivables.touched_kind``): ``invoice.*`` (drafted,
issued, voided, overdue) — the invoice; ``payment.*`` (received, applied, unapplied, reversed)
— every invoice the payment was ever applied to; ``credit_note.*`` (issued, applied) — its
invoice and every invoice it was applied to; ``customer.*`` — the customer's credit, and its
invoices when its name or group changed; ``order.*`` and ``shipment.*`` — the customer's
credit (open orders are part of its exposure)."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.reports.receivables import touched_kind
from app.repositories.customers import Customer
from app.repositories.events import OutboxEvent
from app.repositories.invoices import Invoice
from app.repositories.orders import Order
from app.repositories.payments import CreditApplication, CreditNote, PaymentApplication
from app.repositories.report_receivables_facts import ReceivablesFactWriter, Touched
from app.repositories.report_receivables_models import (
    RECEIVABLES_TABLES,
    ReportArCredit,
    ReportArInvoice,
    ReportArInvoiceDay,
)
from app.repositories.report_receivables_rollups import ReceivablesRollups
from app.repositories.report_summaries import Mismatch
from app.repositories.shipments import Shipment

CHUNK = 2000
IDLE_FIGURES = ("open_receivables", "open_orders", "exposure")


class ReceivablesSummary:
    name = "receivables"
    tables: Sequence[Any] = RECEIVABLES_TABLES

    async def project(self, session: AsyncSession, events: Sequence[OutboxEvent]) -> None:
        ids = _ids_by_kind(events)
        if not ids:
            return
        invoices, customers = await _resolve(session, ids)
        writer = ReceivablesFactWriter(session)
        touched = Touched()
        await writer.replace(invoices, touched)
        await ReceivablesRollups(session).refresh(touched)
        await writer.replace_credit(customers)

    async def rebuild(self, session: AsyncSession) -> None:
        writer = ReceivablesFactWriter(session)
        async for ids in _chunks(session, Invoice.id):
            await writer.replace(ids, Touched())
        await ReceivablesRollups(session).refresh(None)
        async for ids in _chunks(session, Customer.id):
            await writer.replace_credit(ids)

    async def mismatches(self, session: AsyncSession, sample: int) -> list[Mismatch]:
        invoices = await _sample(session, Invoice.id, sample)
        customers = await _sample(session, Customer.id, sample)
        writer = ReceivablesFactWriter(session)
        facts, days = await writer.derive(invoices)
        stored = await _stored(session, ReportArInvoice, invoices)
        stored += await _stored(session, ReportArInvoiceDay, invoices)
        out = _differ(
            "invoice",
            _by(facts + days, "invoice_id"),
            _by(stored, "invoice_id"),
            "the invoice's receivables facts",
        )
        held = await _stored(session, ReportArCredit, customers, column="customer_id")
        # A customer no event ever touched (made before this summary, or without the API)
        # has no row; with nothing open that says the same as a row of zeros.
        kept = {row["customer_id"] for row in held}
        credit = [
            row
            for row in await writer.derive_credit(customers)
            if row["customer_id"] in kept or any(row[k] for k in IDLE_FIGURES)
        ]
        out += _differ(
            "customer",
            _by(credit, "customer_id"),
            _by(held, "customer_id"),
            "the customer's credit exposure",
        )
        return out


def _ids_by_kind(events: Iterable[OutboxEvent]) -> dict[str, set[uuid.UUID]]:
    ids: dict[str, set[uuid.UUID]] = defaultdict(set)
    for e in events:
        kind = touched_kind(e.event_type, e.aggregate_type)
        if kind is None:
            continue
        try:
            ids[kind].add(uuid.UUID(e.aggregate_id))
        except ValueError:
            continue
    return ids


async def _column(session: AsyncSession, stmt: Any) -> set[uuid.UUID]:
    return {x for x in (await session.scalars(stmt)).all() if x is not None}


async def _resolve(
    session: AsyncSession, ids: dict[str, set[uuid.UUID]]
) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
    """(invoices whose facts to derive again, customers whose credit to derive again)."""
    invoices = set(ids["invoice"])
    if ids["payment"]:
        p = PaymentApplication
        invoices |= await _column(
            session, select(p.invoice_id).where(p.payment_id.in_(ids["payment"]))
        )
    if notes := ids["credit_note"]:
        c = CreditApplication
        invoices |= await _column(session, select(c.invoice_id).where(c.credit_note_id.in_(notes)))
        invoices |= await _column(
            session, select(CreditNote.invoice_id).where(CreditNote.id.in_(notes))
        )
    customers = set(ids["customer"])
    if customers:
        invoices |= await _renamed_invoices(session, customers)
    if invoices:
        customers |= await _column(
            session, select(Invoice.customer_id).where(Invoice.id.in_(invoices))
        )
    if ids["order"]:
        customers |= await _column(
            session, select(Order.customer_id).where(Order.id.in_(ids["order"]))
        )
    if ids["shipment"]:
        stmt = select(Order.customer_id).join(Shipment, Shipment.order_id == Order.id)
        customers |= await _column(session, stmt.where(Shipment.id.in_(ids["shipment"])))
    return invoices, customers


async def _renamed_invoices(session: AsyncSession, customers: set[uuid.UUID]) -> set[uuid.UUID]:
    """The invoices of those customers whose facts carry another name or group than the
    customer has now (a customer's other changes leave its invoices' facts alone)."""
    f = ReportArInvoice
    stale = (
        select(f.invoice_id)
        .join(Customer, Customer.id == f.customer_id)
        .where(f.customer_id.in_(customers))
        .where(
            (f.customer_name != Customer.name)
            | (f.customer_group != func.coalesce(Customer.customer_group, ""))
        )
    )
    return await _column(session, stale)


async def _chunks(session: AsyncSession, column: Any) -> AsyncIterator[list[uuid.UUID]]:
    """Every id of ``column`` in id order, a chunk at a time (keyset, never all at once)."""
    after: uuid.UUID | None = None
    while True:
        stmt = select(column).order_by(column).limit(CHUNK)
        if after is not None:
            stmt = stmt.where(column > after)
        ids = list((await session.scalars(stmt)).all())
        if not ids:
            return
        yield ids
        after = ids[-1]


async def _sample(session: AsyncSession, column: Any, size: int) -> list[uuid.UUID]:
    """About ``size`` ids spread over the id space (from a random point, wrapping round)."""
    start = uuid.UUID(int=random.getrandbits(128))
    after = await session.scalars(
        select(column).where(column >= start).order_by(column).limit(size)
    )
    ids = list(after.all())
    if len(ids) < size:
        before = select(column).where(column < start).order_by(column).limit(size - len(ids))
        ids += list((await session.scalars(before)).all())
    return ids


async def _stored(
    session: AsyncSession, table: Any, ids: list[uuid.UUID], column: str = "invoice_id"
) -> list[dict[str, Any]]:
    if not ids:
        return []
    names = [c.key for c in table.__table__.columns]
    rows = await session.execute(select(table).where(getattr(table, column).in_(ids)))
    return [{n: getattr(r, n) for n in names} for (r,) in rows]


def _by(rows: list[dict[str, Any]], column: str) -> dict[Any, list[str]]:
    out: dict[Any, list[str]] = defaultdict(list)
    for row in rows:
        out[row[column]].append(_plain(row))
    return {k: sorted(v) for k, v in out.items()}


def _plain(row: dict[str, Any]) -> str:
    return repr(
        sorted((k, str(v.normalize() if isinstance(v, Decimal) else v)) for k, v in row.items())
    )


def _differ(
    kind: str, derived: dict[Any, list[str]], stored: dict[Any, list[str]], what: str
) -> list[Mismatch]:
    return [
        Mismatch(kind, str(key), f"{what} differ from its rows")
        for key in sorted(set(derived) | set(stored), key=str)
        if derived.get(key) != stored.get(key)
    ]


RECEIVABLES = ReceivablesSummary()
