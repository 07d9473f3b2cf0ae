"""Periodic invoicing under real concurrency, on PostgreSQL with parallel connections: two
runs of one period at once bill each shipment once (the shipments are locked in id order)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time

from sqlalchemy import func, select, update

from app.repositories.invoices import Invoice
from app.repositories.shipments import Shipment
from tests.factories import make_customer, make_product, make_warehouse
from tests.integration.billing.test_periodic_invoicing import last_month
from tests.integration.test_shipments import SHANGHAI, package


async def _shipped(client, auth, tag: str, sku: str, quantity: str) -> str:
    """An order of the tagged customer, picked and shipped from the tagged warehouse."""
    warehouse = await auth.as_role("warehouse")
    moved = await client.post(
        "/api/v1/stock/movements",
        headers=warehouse,
        json={"warehouse": f"W-{tag}", "sku": sku, "kind": "receipt", "quantity": quantity},
    )
    assert moved.status_code == 201, moved.text
    placed = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": f"C-{tag}"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": sku, "quantity": quantity}],
            "submit": True,
        },
    )
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["id"]
    pick = await client.post(
        "/api/v1/pick-lists",
        headers=warehouse,
        json={"warehouse": f"W-{tag}", "order_ids": [order_id]},
    )
    assert pick.status_code == 201, pick.text
    picked = await client.post(
        f"/api/v1/pick-lists/{pick.json()['id']}/confirm",
        headers=warehouse,
        json={"lines": [{"sku": sku, "picked": quantity}]},
    )
    assert picked.status_code == 200, picked.text
    shipment = await client.post(
        "/api/v1/shipments",
        headers=warehouse,
        json={
            "order_id": order_id,
            "warehouse": f"W-{tag}",
            "packages": [package({sku: quantity})],
        },
    )
    assert shipment.status_code == 201, shipment.text
    shipment_id = shipment.json()["id"]
    scanned = {"lines": [{"sku": sku, "quantity": quantity}]}
    verified = await client.post(
        f"/api/v1/shipments/{shipment_id}/verify", headers=warehouse, json=scanned
    )
    assert verified.status_code == 200, verified.text
    confirmed = await client.post(
        f"/api/v1/shipments/{shipment_id}/confirm", headers=warehouse, json={}
    )
    assert confirmed.status_code == 200, confirmed.text
    return shipment_id


async def test_two_runs_at_once_make_one_invoice(pg_client, pg_auth, pg_app) -> None:
    sessionmaker = pg_app.state.sessionmaker
    month = last_month()
    for _ in range(2):  # a few rounds, to give the race every chance
        tag = uuid.uuid4().hex[:6]
        await make_warehouse(sessionmaker, f"W-{tag}", priority=1)
        for sku in (f"A-{tag}", f"B-{tag}"):
            await make_product(
                sessionmaker, sku, list_price="10.00", floor_price=None, tax_rate="0"
            )
        customer = await make_customer(
            sessionmaker,
            f"C-{tag}",
            credit_limit="100000",
            invoicing_policy="periodic",
            invoicing_period="month",
        )
        shipments = [
            await _shipped(pg_client, pg_auth, tag, f"A-{tag}", "2"),
            await _shipped(pg_client, pg_auth, tag, f"B-{tag}", "1"),
        ]
        async with sessionmaker() as session:
            await session.execute(
                update(Shipment)
                .where(Shipment.id.in_([uuid.UUID(s) for s in shipments]))
                .values(shipped_at=datetime.combine(month.start, time(8), tzinfo=UTC))
            )
            await session.commit()
        body = {
            "period": "month",
            "period_end": month.end.isoformat(),
            "customer_id": str(customer.id),
        }
        headers = await pg_auth.as_role("finance")
        answers = await asyncio.gather(
            *[
                pg_client.post("/api/v1/invoicing-runs", json=body, headers=headers)
                for _ in range(2)
            ]
        )
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        outcomes = sorted(a.json()["customers"][0]["outcome"] for a in answers)
        assert outcomes == ["invoiced", "nothing_due"]
        async with sessionmaker() as session:
            count = await session.scalar(
                select(func.count()).select_from(Invoice).where(Invoice.customer_id == customer.id)
            )
        assert count == 1
