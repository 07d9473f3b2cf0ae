"""The credit rule on real receivables: open receivables are what issued invoices still owe,
overdue receivables come from invoices past their due date, and money applied to a customer's
invoices re-reviews its orders held for credit (oldest first, each counting those released
before it), releasing those that now pass — allocated as after a manual release."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from app import bootstrap
from app.domain.billing.settlement import PaymentMethod
from app.repositories.customers import Customer
from app.repositories.invoices import Invoice
from app.services.billing.settling import apply_payment, receive_payment
from tests.integration.billing.test_invoicing import invoices_of, ship
from tests.integration.test_shipments import SHANGHAI, data

__all__ = ["data"]


def today():
    return datetime.now(UTC).date()


async def set_limit(sessionmaker, limit: str) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(Customer).where(Customer.code == "ACME").values(credit_limit=Decimal(limit))
        )
        await session.commit()


async def set_due(sessionmaker, invoice_id: str, days_ago: int) -> None:
    async with sessionmaker() as session:
        await session.execute(
            update(Invoice)
            .where(Invoice.id == uuid.UUID(invoice_id))
            .values(due_date=today() - timedelta(days=days_ago))
        )
        await session.commit()


async def shipped_invoice(client, auth, lines: dict[str, str]) -> dict:
    placed, _ = await ship(client, auth, lines)
    [invoice] = await invoices_of(client, auth, placed["id"])
    return invoice


async def pay(sessionmaker, settings, invoice_id: str, amount: str) -> None:
    """Receive a bank transfer and apply it to the invoice, in one unit of work."""
    uow = bootstrap.unit_of_work(sessionmaker, bootstrap.build_bus(settings))
    async with uow:
        invoice = await uow.invoices.get_for_update_or_raise(uuid.UUID(invoice_id))
        customer = await uow.customers.get_or_raise(invoice.customer_id)
        payment = await receive_payment(
            uow,
            customer,
            amount=Decimal(amount),
            currency="CNY",
            method=PaymentMethod.BANK_TRANSFER,
            reference=None,
            received_on=today(),
            actor="user:finance",
        )
        await apply_payment(uow, payment, invoice, Decimal(amount), actor="user:finance")
        await uow.commit()


async def place(client, auth, lines: dict[str, str]) -> dict:
    """Receive the stock, then place and submit an order of ACME."""
    for sku, quantity in lines.items():
        response = await client.post(
            "/api/v1/stock/movements",
            headers=await auth.as_role("warehouse"),
            json={"warehouse": "HZ", "sku": sku, "kind": "receipt", "quantity": quantity},
        )
        assert response.status_code == 201, response.text
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
            "submit": True,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def order(client, auth, order_id: str) -> dict:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=await auth.as_role("sales"))
    assert response.status_code == 200, response.text
    return response.json()


async def credit(client, auth, customer_id: str) -> dict:
    response = await client.get(
        f"/api/v1/customers/{customer_id}/credit", headers=await auth.as_role("finance")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return {k: body[k] for k in body if k not in ("customer_id", "currency")}


async def releases(client, auth, order_id: str) -> list[tuple[str, str, str | None]]:
    response = await client.get(
        f"/api/v1/orders/{order_id}/review", headers=await auth.as_role("finance")
    )
    assert response.status_code == 200, response.text
    return [
        (d["actor"], d["hold"], d["comment"])
        for d in response.json()["decisions"]
        if d["action"] == "release"
    ]


async def test_a_payment_releases_orders_held_for_credit_oldest_first(
    client, auth, data, sessionmaker, settings
) -> None:
    await set_limit(sessionmaker, "100")
    invoice = await shipped_invoice(client, auth, {"S-1": "6"})  # 60.00 owed
    first = await place(client, auth, {"S-1": "5"})  # 60 + 50 > 100
    second = await place(client, auth, {"S-2": "5"})
    for held in (first, second):
        assert held["status"] == "on_hold" and held["holds"] == ["credit_limit_exceeded"]
    assert await credit(client, auth, first["customer_id"]) == {
        "limit": "100.00",
        "open_receivables": "60.00",
        "open_orders": "0.00",
        "exposure": "60.00",
        "available": "40.00",
        "overdue_amount": "0.00",
        "max_days_overdue": 0,
    }

    # 30 paid: 30 owed + 50 (the oldest) fits; the second would make 30 + 50 + 50 > 100.
    await pay(sessionmaker, settings, invoice["id"], "30.00")
    released = await order(client, auth, first["id"])
    assert released["status"] == "approved" and released["holds"] == []
    assert released["fulfillment_status"] == "reserved"
    [(actor, hold, comment)] = await releases(client, auth, first["id"])
    assert (actor, hold) == ("system:credit-recheck", "credit_limit_exceeded")
    assert comment is not None and "payment applied" in comment
    still = await order(client, auth, second["id"])
    assert still["status"] == "on_hold" and still["holds"] == ["credit_limit_exceeded"]
    assert await releases(client, auth, second["id"]) == []
    position = await credit(client, auth, first["customer_id"])
    assert (position["open_receivables"], position["open_orders"]) == ("30.00", "50.00")
    assert (position["exposure"], position["available"]) == ("80.00", "20.00")

    # The rest paid: 0 owed + 50 + 50 = 100, within the limit.
    await pay(sessionmaker, settings, invoice["id"], "30.00")
    released = await order(client, auth, second["id"])
    assert released["status"] == "approved" and released["fulfillment_status"] == "reserved"
    position = await credit(client, auth, first["customer_id"])
    assert (position["open_receivables"], position["open_orders"]) == ("0.00", "100.00")
    assert position["available"] == "0.00"


async def test_overdue_invoices_hold_new_orders_until_paid(
    client, auth, data, sessionmaker, settings
) -> None:
    invoice = await shipped_invoice(client, auth, {"S-1": "6"})  # 60.00, due in 30 days
    await set_due(sessionmaker, invoice["id"], days_ago=40)  # policy: overdue_days 30
    held = await place(client, auth, {"S-2": "2"})
    assert held["status"] == "on_hold" and held["holds"] == ["overdue_receivables"]
    position = await credit(client, auth, held["customer_id"])
    assert position["overdue_amount"] == "60.00" and position["max_days_overdue"] == 40
    assert position["open_receivables"] == "60.00" and position["open_orders"] == "0.00"

    # Part paid: 40.00 is still 40 days overdue, the order stays held.
    await pay(sessionmaker, settings, invoice["id"], "20.00")
    assert (await order(client, auth, held["id"]))["status"] == "on_hold"
    position = await credit(client, auth, held["customer_id"])
    assert position["overdue_amount"] == "40.00" and position["max_days_overdue"] == 40

    await pay(sessionmaker, settings, invoice["id"], "40.00")
    released = await order(client, auth, held["id"])
    assert released["status"] == "approved" and released["holds"] == []
    assert released["fulfillment_status"] == "reserved"
    assert [(a, h) for a, h, _ in await releases(client, auth, held["id"])] == [
        ("system:credit-recheck", "overdue_receivables")
    ]
    assert await credit(client, auth, held["customer_id"]) == {
        "limit": "1000000.00",
        "open_receivables": "0.00",
        "open_orders": "20.00",
        "exposure": "20.00",
        "available": "999980.00",
        "overdue_amount": "0.00",
        "max_days_overdue": 0,
    }


async def test_the_credit_position_counts_balances_and_overdue_invoices(
    client, auth, data, sessionmaker, settings
) -> None:
    late = await shipped_invoice(client, auth, {"S-1": "6"})  # 60.00
    later = await shipped_invoice(client, auth, {"S-2": "3"})  # 30.00
    current = await shipped_invoice(client, auth, {"S-1": "1"})  # 10.00, not due yet
    await set_due(sessionmaker, late["id"], days_ago=10)
    await set_due(sessionmaker, later["id"], days_ago=5)
    await pay(sessionmaker, settings, late["id"], "25.00")  # 35.00 left on it
    # Overdue by 10 days, within the 30 the policy allows: a new order is approved.
    placed = await place(client, auth, {"S-2": "2"})  # 20.00
    assert placed["status"] == "approved"
    # Receivables 35 + 30 + 10 = 75; overdue 35 + 30 = 65, the oldest 10 days past due;
    # open orders: the new one, 20 (the shipped ones are invoiced in full).
    assert await credit(client, auth, placed["customer_id"]) == {
        "limit": "1000000.00",
        "open_receivables": "75.00",
        "open_orders": "20.00",
        "exposure": "95.00",
        "available": "999905.00",
        "overdue_amount": "65.00",
        "max_days_overdue": 10,
    }
    assert current["balance"] == "10.00"


async def test_an_invoiced_order_released_by_hand_is_not_counted_twice(
    client, auth, data, sessionmaker
) -> None:
    await set_limit(sessionmaker, "100")
    placed, _ = await ship(client, auth, {"S-1": "6"})  # 60.00 invoiced and owed
    finance = await auth.as_role("finance")
    response = await client.post(
        f"/api/v1/orders/{placed['id']}/hold", json={"reason": "check"}, headers=finance
    )
    assert response.status_code == 200, response.text
    response = await client.post(
        f"/api/v1/orders/{placed['id']}/release", json={"reason": "checked"}, headers=finance
    )
    assert response.status_code == 200, response.text
    # Its own 60 owed is the order itself (60 of 100), not 60 + 60 > 100.
    assert response.json()["status"] == "approved" and response.json()["holds"] == []
    # Another order is measured against the invoice: 60 + 50 > 100.
    other = await place(client, auth, {"S-2": "5"})
    assert other["holds"] == ["credit_limit_exceeded"]
