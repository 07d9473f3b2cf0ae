"""Invoicing one shipment twice at once, on PostgreSQL with real parallel connections, makes
one invoice: both requests answer it, the order line is invoiced once, one receivable posted."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from app import bootstrap
from app.repositories.invoices import Invoice, InvoicedShipment
from app.repositories.ledger import JournalEntry
from app.repositories.orders import OrderLine
from tests.builders import a_customer, a_product, a_shipped_order, a_warehouse


async def test_two_invoicings_of_one_shipment_at_once_make_one_invoice(
    pg_client, pg_auth, pg_app
) -> None:
    sessionmaker = pg_app.state.sessionmaker
    uow = bootstrap.unit_of_work(sessionmaker, pg_app.state.bus)
    warehouse = await a_warehouse(uow)
    product = await a_product(uow)
    headers = await pg_auth.as_role("finance")
    for _ in range(4):  # a few rounds, to give the race every chance
        # Invoiced on delivery: nothing bills the shipment until someone asks.
        customer = await a_customer(uow, invoicing_policy="on_delivery")
        shipped = await a_shipped_order(uow, customer, warehouse, [(product, 3)])
        body = {"shipment_ids": [str(shipped.shipment.id)]}
        answers = await asyncio.gather(
            *[pg_client.post("/api/v1/invoices", json=body, headers=headers) for _ in range(2)]
        )
        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        assert answers[0].json()["id"] == answers[1].json()["id"]
        async with sessionmaker() as session:
            invoices = await session.scalar(
                select(func.count()).select_from(Invoice).where(Invoice.customer_id == customer.id)
            )
            billed = await session.scalar(
                select(func.count())
                .select_from(InvoicedShipment)
                .where(InvoicedShipment.shipment_id == shipped.shipment.id)
            )
            line = await session.get(OrderLine, shipped.lines[0].id)
            entries = await session.scalar(
                select(func.count())
                .select_from(JournalEntry)
                .where(JournalEntry.source_id == answers[0].json()["id"])
            )
        assert (invoices, billed, entries) == (1, 1, 1)
        assert line is not None and line.quantity_invoiced == 3
