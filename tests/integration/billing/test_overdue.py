"""``invoice.overdue``: raised once per issued invoice that passed its due date with a
balance — not for paid or not-yet-due invoices, not twice when the job runs again, and, on
PostgreSQL, once per invoice when several workers run the job at the same time."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.invoices import Invoice
from app.worker.overdue import raise_overdue
from tests.factories import make_customer
from tests.integration.billing.test_credit_receivables import pay, set_due, shipped_invoice
from tests.integration.test_shipments import data

__all__ = ["data"]


async def overdue_rows(sessionmaker, invoice_ids=None) -> list[OutboxEvent]:
    async with sessionmaker() as session:
        stmt = select(OutboxEvent).where(OutboxEvent.event_type == "invoice.overdue")
        if invoice_ids is not None:
            stmt = stmt.where(OutboxEvent.aggregate_id.in_([str(i) for i in invoice_ids]))
        return list(await session.scalars(stmt))


async def test_the_job_raises_invoice_overdue_once_per_invoice(
    client, auth, data, sessionmaker, settings
) -> None:
    late = await shipped_invoice(client, auth, {"S-1": "6"})  # 60.00
    later = await shipped_invoice(client, auth, {"S-1": "2"})  # 20.00
    paid = await shipped_invoice(client, auth, {"S-2": "3"})  # 30.00, paid in full
    due_today = await shipped_invoice(client, auth, {"S-2": "1"})  # due today: not overdue
    not_due = await shipped_invoice(client, auth, {"S-1": "1"})  # due in 30 days
    await set_due(sessionmaker, late["id"], days_ago=12)
    await set_due(sessionmaker, later["id"], days_ago=3)
    await set_due(sessionmaker, paid["id"], days_ago=20)
    await set_due(sessionmaker, due_today["id"], days_ago=0)
    await pay(sessionmaker, settings, paid["id"], "30.00")
    await pay(sessionmaker, settings, later["id"], "5.00")
    assert not_due["due_date"] > datetime.now(UTC).date().isoformat()

    assert await raise_overdue(sessionmaker, settings, batch=1) == 2  # two batches of one
    rows = await overdue_rows(sessionmaker)
    assert sorted(r.aggregate_id for r in rows) == sorted([late["id"], later["id"]])
    payloads = {r.payload["number"]: r.payload for r in rows}
    assert payloads[late["number"]]["balance"] == "60.00"
    assert payloads[late["number"]]["days_overdue"] == 12
    assert payloads[later["number"]]["balance"] == "15.00"
    assert all(r.aggregate_type == "invoice" for r in rows)

    # Run again: nothing new.
    assert await raise_overdue(sessionmaker, settings) == 0
    assert len(await overdue_rows(sessionmaker)) == 2
    async with sessionmaker() as session:
        audited = await session.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity_type == "invoice", AuditEvent.action == "overdue"
            )
        )
        assert sorted(audited) == sorted([late["id"], later["id"]])

    # Paid later, the invoice is simply not overdue any more; the event is not raised again.
    shown = await client.get(
        f"/api/v1/invoices/{late['id']}", headers=await auth.as_role("finance")
    )
    assert shown.json()["standing"] == "overdue"
    await pay(sessionmaker, settings, late["id"], "60.00")
    shown = await client.get(
        f"/api/v1/invoices/{late['id']}", headers=await auth.as_role("finance")
    )
    assert shown.json()["standing"] == "paid"
    assert await raise_overdue(sessionmaker, settings) == 0
    assert len(await overdue_rows(sessionmaker)) == 2


async def test_workers_racing_raise_each_invoice_once(pg_app) -> None:
    sessionmaker, settings = pg_app.state.sessionmaker, pg_app.state.settings
    customer = await make_customer(sessionmaker, f"C-{uuid.uuid4().hex[:6]}")
    today = datetime.now(UTC).date()
    async with sessionmaker() as session:
        invoices = [
            Invoice(
                number=f"INV-T-{uuid.uuid4().hex[:10]}",
                customer_id=customer.id,
                currency="CNY",
                status="issued",
                source="manual",
                issue_date=today - timedelta(days=40),
                due_date=today - timedelta(days=1 + i % 7),
                net_total=Decimal("10.00"),
                tax_total=Decimal("0.00"),
                total=Decimal("10.00"),
                amount_paid=Decimal("0"),
                amount_credited=Decimal("0"),
                created_by="test",
                version=1,
            )
            for i in range(24)
        ]
        session.add_all(invoices)
        await session.commit()
    ids = [i.id for i in invoices]
    for _ in range(2):  # the second round finds nothing left to raise
        await asyncio.gather(*[raise_overdue(sessionmaker, settings, batch=3) for _ in range(4)])
        rows = await overdue_rows(sessionmaker, ids)
        assert sorted(r.aggregate_id for r in rows) == sorted(str(i) for i in ids)
    async with sessionmaker() as session:
        raised = await session.scalars(select(Invoice.overdue_raised_at).where(Invoice.id.in_(ids)))
        assert all(at is not None for at in raised)
        # Raising is no edit of the invoice: its version stays.
        versions = await session.scalars(select(Invoice.version).where(Invoice.id.in_(ids)))
        assert set(versions) == {1}
