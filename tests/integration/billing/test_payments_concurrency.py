"""Payments under real concurrency, on PostgreSQL with parallel connections: two payments
applied at once to one invoice never apply more than it owes, and two requests under one
Idempotency-Key make one payment."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from app.repositories.invoices import Invoice
from app.repositories.payments import PaymentApplication
from tests.factories import make_customer
from tests.integration.billing.books_support import receivable_posted

PAYMENTS = "/api/v1/payments"


async def _invoice_owing(pg_app, total: str = "100.00") -> tuple[str, str]:
    """A customer and one issued invoice of theirs owing ``total`` (committed)."""
    sessionmaker = pg_app.state.sessionmaker
    customer = await make_customer(sessionmaker, f"C-{uuid.uuid4().hex[:6]}")
    invoice_id = uuid.uuid4()
    async with sessionmaker() as session:
        invoice = Invoice(
            id=invoice_id,
            number=f"INV-T-{invoice_id.hex[:10]}",
            customer_id=customer.id,
            currency="CNY",
            status="issued",
            invoice_type="ordinary",
            source="manual",
            issue_date=date.today(),
            issued_at=datetime.now(UTC),
            due_date=date.today(),
            net_total=Decimal(total),
            tax_total=Decimal(0),
            total=Decimal(total),
            amount_paid=Decimal(0),
            amount_credited=Decimal(0),
            created_by="test",
            version=1,
        )
        session.add(invoice)
        session.add_all(receivable_posted(invoice))  # as issuing it would have posted
        await session.commit()
    return str(customer.id), str(invoice_id)


async def _applied(pg_app, invoice_id: str) -> tuple[Decimal, Decimal, Decimal]:
    """(the invoice's amount_paid, the sum of its active applications, its total)."""
    async with pg_app.state.sessionmaker() as session:
        invoice = await session.get(Invoice, uuid.UUID(invoice_id))
        assert invoice is not None
        applications = await session.scalars(
            select(PaymentApplication).where(
                PaymentApplication.invoice_id == invoice.id,
                PaymentApplication.reversed_at.is_(None),
            )
        )
        return (
            invoice.amount_paid,
            sum((a.applied for a in applications), Decimal(0)),
            invoice.total,
        )


def _body(customer_id: str, amount: str, **extra) -> dict:
    return {
        "customer_id": customer_id,
        "amount": amount,
        "currency": "CNY",
        "method": "bank_transfer",
        **extra,
    }


async def test_two_explicit_applications_racing_for_one_invoice(pg_client, pg_auth, pg_app) -> None:
    headers = await pg_auth.as_role("finance")
    for _ in range(4):  # a few rounds, to give the race every chance
        customer_id, invoice_id = await _invoice_owing(pg_app)
        payments = []
        for _ in range(2):
            response = await pg_client.post(
                PAYMENTS, json=_body(customer_id, "70.00", apply="none"), headers=headers
            )
            assert response.status_code == 201, response.text
            payments.append(response.json()["id"])
        answers = await asyncio.gather(
            *[
                pg_client.post(
                    f"{PAYMENTS}/{p}/applications",
                    json={"applications": [{"invoice_id": invoice_id, "amount": "70.00"}]},
                    headers=headers,
                )
                for p in payments
            ]
        )
        # Explicit amounts are refused, not cut down, when the invoice owes less.
        assert sorted(a.status_code for a in answers) == [200, 422], [a.text for a in answers]
        refused = next(a.json() for a in answers if a.status_code == 422)
        assert [e["rule"] for e in refused["errors"]] == ["within_invoice"]
        paid, applied, total = await _applied(pg_app, invoice_id)
        assert paid == applied == Decimal("70.00") and paid <= total


async def test_two_payments_oldest_due_first_at_once_take_only_what_is_owed(
    pg_client, pg_auth, pg_app
) -> None:
    headers = await pg_auth.as_role("finance")
    for _ in range(4):
        customer_id, invoice_id = await _invoice_owing(pg_app)
        answers = await asyncio.gather(
            *[
                pg_client.post(PAYMENTS, json=_body(customer_id, "70.00"), headers=headers)
                for _ in range(2)
            ]
        )
        assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
        assert sorted(a.json()["amount_applied"] for a in answers) == ["30.00", "70.00"]
        paid, applied, total = await _applied(pg_app, invoice_id)
        assert paid == applied == total == Decimal("100.00")


async def test_two_requests_under_one_idempotency_key_make_one_payment(
    pg_client, pg_auth, pg_app
) -> None:
    headers = await pg_auth.as_role("finance")
    for _ in range(4):
        customer_id, invoice_id = await _invoice_owing(pg_app)
        key = {**headers, "Idempotency-Key": f"k-{uuid.uuid4().hex}"}
        answers = await asyncio.gather(
            *[
                pg_client.post(PAYMENTS, json=_body(customer_id, "60.00"), headers=key)
                for _ in range(2)
            ]
        )
        assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        listed = await pg_client.get(PAYMENTS, params={"customer_id": customer_id}, headers=headers)
        assert len(listed.json()["items"]) == 1
        paid, applied, _ = await _applied(pg_app, invoice_id)
        assert paid == applied == Decimal("60.00")
