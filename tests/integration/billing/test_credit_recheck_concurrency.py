"""The credit re-check under real concurrency (PostgreSQL, parallel connections): two payments
of one customer applied at once to different invoices each re-check the customer's orders held
for credit; the locks (held orders, then the customer) make them take turns, so no order is
released twice and none past the limit, and neither transaction deadlocks."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.repositories.invoices import Invoice
from tests.factories import make_customer, make_product
from tests.integration.billing.books_support import receivable_posted
from tests.integration.billing.test_credit_receivables import pay


async def test_two_payments_at_once_release_each_held_order_once(
    pg_client, pg_auth, pg_app
) -> None:
    sessionmaker, settings = pg_app.state.sessionmaker, pg_app.state.settings
    tag = uuid.uuid4().hex[:6]
    await make_product(sessionmaker, f"P-{tag}", list_price="10.00", floor_price=None, tax_rate="0")
    customer = await make_customer(sessionmaker, f"C-{tag}", credit_limit="100")
    today = datetime.now(UTC).date()
    async with sessionmaker() as session:
        invoices = [
            Invoice(
                number=f"INV-T-{uuid.uuid4().hex[:10]}",
                customer_id=customer.id,
                currency="CNY",
                status="issued",
                source="manual",
                issue_date=today,
                issued_at=datetime.now(UTC),
                due_date=today + timedelta(days=30),
                net_total=Decimal("50.00"),
                tax_total=Decimal("0.00"),
                total=Decimal("50.00"),
                amount_paid=Decimal("0"),
                amount_credited=Decimal("0"),
                created_by="test",
                version=1,
            )
            for _ in range(2)
        ]
        session.add_all(invoices)
        for invoice in invoices:
            invoice.id = uuid.uuid4()
            session.add_all(receivable_posted(invoice))
        await session.commit()
    sales = await pg_auth.as_role("sales")
    held = []
    for _ in range(2):  # 100 owed + 40 > 100: both held
        response = await pg_client.post(
            "/api/v1/orders",
            headers=sales,
            json={
                "channel": "phone",
                "customer": {"code": f"C-{tag}"},
                "lines": [{"sku": f"P-{tag}", "quantity": "4"}],
                "submit": True,
            },
        )
        assert response.status_code == 201, response.text
        assert response.json()["holds"] == ["credit_limit_exceeded"]
        held.append(response.json()["id"])

    await asyncio.gather(*[pay(sessionmaker, settings, str(i.id), "50.00") for i in invoices])

    for order_id in held:
        response = await pg_client.get(f"/api/v1/orders/{order_id}", headers=sales)
        assert response.json()["status"] == "approved", response.text
        review = await pg_client.get(
            f"/api/v1/orders/{order_id}/review", headers=await pg_auth.as_role("finance")
        )
        releases = [d for d in review.json()["decisions"] if d["action"] == "release"]
        assert len(releases) == 1
    credit = await pg_client.get(f"/api/v1/customers/{customer.id}/credit", headers=sales)
    body = credit.json()
    assert (body["open_receivables"], body["open_orders"]) == ("0.00", "80.00")
