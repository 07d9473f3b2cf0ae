"""Payments through the HTTP API, on both engines: received once per Idempotency-Key, applied
explicitly or oldest due first, unapplied, reversed (a bounced transfer re-opens what it paid)
and refunded; a prepaid storefront order settles itself; every bad input is a problem that
names the field and the rule and changes nothing; the journal balances after each step."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.repositories.customers import Customer
from app.repositories.ledger import JournalLine
from app.repositories.payments import CreditNote
from tests.factories import make_customer
from tests.integration.billing.test_invoicing import invoices_of, ship
from tests.integration.test_shipments import SHANGHAI, confirm, created, data, headers, verify
from tests.support import assert_problem

__all__ = ["data"]

PAYMENTS = "/api/v1/payments"


async def finance(auth) -> dict[str, str]:
    return await auth.as_role("finance")


async def balanced(sessionmaker) -> list[JournalLine]:
    """The journal: debits equal credits, per currency."""
    async with sessionmaker() as session:
        legs = list(await session.scalars(select(JournalLine)))
    for currency in {x.currency for x in legs}:
        mine = [x for x in legs if x.currency == currency]
        assert sum(x.debit for x in mine) == sum(x.credit for x in mine), currency
    return legs


def credit_of(legs: list[JournalLine]) -> Decimal:
    return sum((x.credit - x.debit for x in legs if x.account == "2203"), Decimal(0))


def receivable_of(legs: list[JournalLine]) -> Decimal:
    return sum((x.debit - x.credit for x in legs if x.account == "1122"), Decimal(0))


async def pay(client, auth, customer_id: str, amount: str, key: str | None = None, **body):
    h = await finance(auth)
    if key:
        h = {**h, "Idempotency-Key": key}
    payload = {
        "customer_id": customer_id,
        "amount": amount,
        "currency": "CNY",
        "method": "bank_transfer",
        "reference": "T-1",
        **body,
    }
    return await client.post(PAYMENTS, json=payload, headers=h)


async def invoice_view(client, auth, invoice_id: str) -> dict:
    response = await client.get(f"/api/v1/invoices/{invoice_id}", headers=await finance(auth))
    assert response.status_code == 200, response.text
    return response.json()


async def billing_status(client, auth, order_id: str) -> str:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=await auth.as_role("sales"))
    return response.json()["billing_status"]


async def shipped_invoice(client, auth, quantity: str = "3") -> tuple[dict, dict]:
    placed, _ = await ship(client, auth, {"S-1": quantity})
    [invoice] = await invoices_of(client, auth, placed["id"])
    return placed, invoice


async def test_a_manual_order_paid_partly_then_fully(client, auth, data, sessionmaker) -> None:
    placed, invoice = await shipped_invoice(client, auth)
    customer = invoice["customer_id"]
    first = await pay(
        client,
        auth,
        customer,
        "20.00",
        key="pay-1",
        applications=[{"invoice_id": invoice["id"], "amount": "20.00"}],
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["number"].startswith("PAY-") and body["unapplied"] == "0.00"
    assert [(a["invoice_id"], a["amount"]) for a in body["applications"]] == [
        (invoice["id"], "20.00")
    ]
    assert (await invoice_view(client, auth, invoice["id"]))["standing"] == "partially_paid"
    assert await billing_status(client, auth, placed["id"]) == "partially_paid"
    legs = await balanced(sessionmaker)
    assert receivable_of(legs) == Decimal("10.00") and credit_of(legs) == 0

    # The same key and body: the same payment, nothing new; another body: refused.
    again = await pay(
        client,
        auth,
        customer,
        "20",
        key="pay-1",
        applications=[{"invoice_id": invoice["id"], "amount": "20.0"}],
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    other = await pay(client, auth, customer, "21.00", key="pay-1")
    assert_problem(other, 409, code="idempotency_key_reused")

    # Oldest due first (the default) takes what is owed; the rest is unapplied credit.
    second = await pay(client, auth, customer, "15.00", method="cash")
    assert second.status_code == 201, second.text
    assert second.json()["amount_applied"] == "10.00" and second.json()["unapplied"] == "5.00"
    paid = await invoice_view(client, auth, invoice["id"])
    assert paid["standing"] == "paid" and paid["balance"] == "0.00"
    assert await billing_status(client, auth, placed["id"]) == "paid"
    legs = await balanced(sessionmaker)
    assert receivable_of(legs) == 0 and credit_of(legs) == Decimal("5.00")

    listed = await client.get(
        PAYMENTS, params={"customer_id": customer, "limit": 1}, headers=await finance(auth)
    )
    assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    assert listed.json()["items"][0]["id"] == second.json()["id"]
    rest = await client.get(
        PAYMENTS,
        params={"customer_id": customer, "cursor": listed.json()["next_cursor"]},
        headers=await finance(auth),
    )
    assert [p["id"] for p in rest.json()["items"]] == [body["id"]]


async def test_reversal_reopens_the_invoice_and_the_order_goes_back_to_invoiced(
    client, auth, data, sessionmaker
) -> None:
    placed, invoice = await shipped_invoice(client, auth)
    payment = (await pay(client, auth, invoice["customer_id"], "30.00")).json()
    assert await billing_status(client, auth, placed["id"]) == "paid"
    response = await client.post(
        f"{PAYMENTS}/{payment['id']}/reverse",
        json={"reason": "bounced"},
        headers=await finance(auth),
    )
    assert response.status_code == 200, response.text
    reversed_ = response.json()
    assert reversed_["status"] == "reversed" and reversed_["unapplied"] == "0.00"
    assert reversed_["reversal_reason"] == "bounced"
    assert all(a["reversed_at"] for a in reversed_["applications"])
    reopened = await invoice_view(client, auth, invoice["id"])
    assert reopened["standing"] == "open" and reopened["balance"] == "30.00"
    assert await billing_status(client, auth, placed["id"]) == "invoiced"
    legs = await balanced(sessionmaker)
    assert receivable_of(legs) == Decimal("30.00") and credit_of(legs) == 0
    bank = sum((x.debit - x.credit for x in legs if x.account == "1002"), Decimal(0))
    assert bank == 0

    # A reversed payment is not applied, refunded nor reversed again.
    h = await finance(auth)
    apply = await client.post(f"{PAYMENTS}/{payment['id']}/applications", json={}, headers=h)
    assert_problem(apply, 409, code="payment_reversed")
    refund = await client.post(
        "/api/v1/refunds",
        json={"payment_id": payment["id"], "amount": "1.00", "method": "bank_transfer"},
        headers=h,
    )
    assert_problem(refund, 409, code="payment_reversed")
    twice = await client.post(
        f"{PAYMENTS}/{payment['id']}/reverse", json={"reason": "again"}, headers=h
    )
    assert_problem(twice, 409, code="payment_reversed")


async def test_unapply_gives_the_amount_back_to_payment_and_invoice(
    client, auth, data, sessionmaker
) -> None:
    placed, invoice = await shipped_invoice(client, auth)
    payment = (await pay(client, auth, invoice["customer_id"], "30.00", apply="none")).json()
    assert payment["applications"] == [] and payment["unapplied"] == "30.00"
    h = await finance(auth)
    applied = await client.post(
        f"{PAYMENTS}/{payment['id']}/applications",
        json={"applications": [{"invoice_id": invoice["id"], "amount": "12.00"}]},
        headers=h,
    )
    assert applied.status_code == 200, applied.text
    [application] = applied.json()["applications"]
    assert applied.json()["unapplied"] == "18.00"
    response = await client.post(
        f"{PAYMENTS}/{payment['id']}/applications/{application['id']}/unapply", headers=h
    )
    assert response.status_code == 200, response.text
    assert response.json()["unapplied"] == "30.00"
    assert response.json()["applications"][0]["reversed_at"] is not None
    assert (await invoice_view(client, auth, invoice["id"]))["balance"] == "30.00"
    assert await billing_status(client, auth, placed["id"]) == "invoiced"
    again = await client.post(
        f"{PAYMENTS}/{payment['id']}/applications/{application['id']}/unapply", headers=h
    )
    assert_problem(again, 409, code="already_unapplied")
    unknown = await client.post(
        f"{PAYMENTS}/{payment['id']}/applications/{uuid.uuid4()}/unapply", headers=h
    )
    assert_problem(unknown, 404)
    # Then oldest due first settles the invoice with it.
    rest = await client.post(f"{PAYMENTS}/{payment['id']}/applications", json={}, headers=h)
    assert rest.json()["unapplied"] == "0.00"
    assert await billing_status(client, auth, placed["id"]) == "paid"
    legs = await balanced(sessionmaker)
    assert receivable_of(legs) == 0 and credit_of(legs) == 0


async def test_across_currencies_at_a_stated_rate(client, auth, data, sessionmaker) -> None:
    placed, invoice = await shipped_invoice(client, auth)
    response = await pay(
        client,
        auth,
        invoice["customer_id"],
        "4.00",
        currency="USD",
        applications=[{"invoice_id": invoice["id"], "amount": "4.00", "rate": "7.5"}],
    )
    assert response.status_code == 201, response.text
    [application] = response.json()["applications"]
    assert application["applied"] == "30.00" and application["rate"] == "7.5"
    assert await billing_status(client, auth, placed["id"]) == "paid"
    legs = await balanced(sessionmaker)
    assert receivable_of(legs) == 0


async def test_refunds_of_unapplied_credit(client, auth, data, sessionmaker) -> None:
    _, invoice = await shipped_invoice(client, auth)
    payment = (await pay(client, auth, invoice["customer_id"], "50.00")).json()
    assert payment["unapplied"] == "20.00"
    h = await finance(auth)
    too_much = await client.post(
        "/api/v1/refunds",
        json={"payment_id": payment["id"], "amount": "20.01", "method": "bank_transfer"},
        headers=h,
    )
    assert_problem(too_much, 422, field="amount").get("errors")
    assert too_much.json()["errors"][0]["rule"] == "within_unapplied"
    body = {
        "payment_id": payment["id"],
        "amount": "20.00",
        "method": "bank_transfer",
        "reference": "back",
    }
    keyed = {**h, "Idempotency-Key": "rf-1"}
    response = await client.post("/api/v1/refunds", json=body, headers=keyed)
    assert response.status_code == 201, response.text
    refund = response.json()
    # The same key and body: the same refund, not a second one; another body: refused.
    again = await client.post("/api/v1/refunds", json={**body, "amount": "20"}, headers=keyed)
    assert again.status_code == 200 and again.json()["id"] == refund["id"]
    other = await client.post("/api/v1/refunds", json={**body, "amount": "1"}, headers=keyed)
    assert_problem(other, 409, code="idempotency_key_reused")
    assert refund["number"].startswith(f"RF-{date.today().year}-")
    got = await client.get(f"/api/v1/refunds/{refund['id']}", headers=h)
    assert got.status_code == 200 and got.json()["amount"] == "20.00"
    after = (await client.get(f"{PAYMENTS}/{payment['id']}", headers=h)).json()
    assert after["unapplied"] == "0.00" and after["amount_refunded"] == "20.00"
    legs = await balanced(sessionmaker)
    assert credit_of(legs) == 0 and receivable_of(legs) == 0

    # Exactly one source.
    both = await client.post(
        "/api/v1/refunds",
        json={
            "payment_id": payment["id"],
            "credit_note_id": str(uuid.uuid4()),
            "amount": "1.00",
            "method": "cash",
        },
        headers=h,
    )
    assert_problem(both, 422, field="payment_id")


async def test_a_refund_of_a_credit_note_never_exceeds_what_it_has_left(
    client, auth, data, sessionmaker
) -> None:
    _, invoice = await shipped_invoice(client, auth)
    note_id = uuid.uuid4()
    async with sessionmaker() as session:
        session.add(
            CreditNote(
                id=note_id,
                number=f"CN-TEST-{note_id.hex[:6]}",
                invoice_id=uuid.UUID(invoice["id"]),
                customer_id=uuid.UUID(invoice["customer_id"]),
                currency="CNY",
                reason="discount",
                issue_date=date.today(),
                net_total=Decimal("8.00"),
                tax_total=Decimal("0"),
                total=Decimal("8.00"),
                amount_applied=Decimal("3.00"),
                amount_refunded=Decimal("0"),
                created_by="test",
                version=1,
            )
        )
        await session.commit()
    h = await finance(auth)
    body = {"credit_note_id": str(note_id), "method": "bank_transfer"}
    too_much = await client.post("/api/v1/refunds", json={**body, "amount": "5.01"}, headers=h)
    assert_problem(too_much, 422, field="amount")
    ok = await client.post("/api/v1/refunds", json={**body, "amount": "5.00"}, headers=h)
    assert ok.status_code == 201, ok.text
    assert ok.json()["credit_note_id"] == str(note_id) and ok.json()["payment_id"] is None
    async with sessionmaker() as session:
        note = await session.get(CreditNote, note_id)
        assert note is not None and note.amount_refunded == Decimal("5.00")
    nothing_left = await client.post("/api/v1/refunds", json={**body, "amount": "0.01"}, headers=h)
    assert_problem(nothing_left, 422, field="amount")
    await balanced(sessionmaker)


async def storefront_order(client, auth, key: dict[str, str], payment: dict) -> dict:
    """A storefront order pushed with an API key (approved and reserved), then picked."""
    response = await client.post(
        "/api/v1/stock/movements",
        headers=await headers(auth),
        json={"warehouse": "HZ", "sku": "S-1", "kind": "receipt", "quantity": "3"},
    )
    assert response.status_code == 201, response.text
    body = {
        "channel": "storefront",
        "external_ref": f"SHOP-{uuid.uuid4().hex[:8]}",
        "customer": {"code": "ACME"},
        "ship_to": SHANGHAI,
        "lines": [{"sku": "S-1", "quantity": "3"}],
        "submit": True,
        "payment": payment,
    }
    response = await client.post(
        "/api/v1/orders", json=body, headers={**key, "Idempotency-Key": body["external_ref"]}
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["status"] == "approved", placed
    response = await client.post(
        "/api/v1/pick-lists",
        headers=await headers(auth),
        json={"warehouse": "HZ", "order_ids": [placed["id"]]},
    )
    assert response.status_code == 201, response.text
    response = await client.post(
        f"/api/v1/pick-lists/{response.json()['id']}/confirm",
        headers=await headers(auth),
        json={"lines": [{"sku": "S-1", "picked": "3"}]},
    )
    assert response.status_code == 200, response.text
    return placed


async def ship_order(client, auth, order_id: str) -> None:
    shipment = await created(client, auth, order_id, None, packed={"S-1": "3"})
    assert (await verify(client, auth, shipment["id"], {"S-1": "3"})).status_code == 200
    response = await confirm(client, auth, shipment["id"])
    assert response.status_code == 200, response.text


async def order_payments(client, auth, customer_id: str) -> list[dict]:
    response = await client.get(
        PAYMENTS, params={"customer_id": customer_id}, headers=await finance(auth)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_a_prepaid_storefront_order_ends_paid_by_itself(
    client, auth, data, sessionmaker
) -> None:
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    placed = await storefront_order(
        client, auth, key, {"status": "paid", "reference": "GW-7", "amount": "30.00"}
    )
    [payment] = await order_payments(client, auth, placed["customer_id"])
    assert payment["method"] == "storefront_gateway" and payment["order_id"] == placed["id"]
    assert payment["reference"] == "GW-7" and payment["unapplied"] == "30.00"
    await ship_order(client, auth, placed["id"])
    [invoice] = await invoices_of(client, auth, placed["id"])
    assert invoice["standing"] == "paid" and invoice["balance"] == "0.00"
    assert await billing_status(client, auth, placed["id"]) == "paid"
    [payment] = await order_payments(client, auth, placed["customer_id"])
    assert payment["unapplied"] == "0.00"
    assert [a["invoice_id"] for a in payment["applications"]] == [invoice["id"]]
    legs = await balanced(sessionmaker)
    assert receivable_of(legs) == 0 and credit_of(legs) == 0


async def test_a_storefront_payment_reported_later_settles_the_issued_invoice(
    client, auth, data, sessionmaker
) -> None:
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    placed = await storefront_order(
        client, auth, key, {"status": "authorized", "reference": "GW-8", "amount": "30.00"}
    )
    assert await order_payments(client, auth, placed["customer_id"]) == []
    await ship_order(client, auth, placed["id"])
    assert await billing_status(client, auth, placed["id"]) == "invoiced"
    report = {"status": "paid", "reference": "GW-8", "amount": "30.00"}
    for _ in range(2):  # reported twice: one payment
        response = await client.post(
            f"/api/v1/orders/{placed['id']}/payment", json=report, headers=key
        )
        assert response.status_code == 200, response.text
    [payment] = await order_payments(client, auth, placed["customer_id"])
    assert payment["order_id"] == placed["id"] and payment["unapplied"] == "0.00"
    assert await billing_status(client, auth, placed["id"]) == "paid"
    # Reported lower later: money received is not reversed by a report (finance reverses).
    lower = {"status": "paid", "reference": "GW-8", "amount": "10.00"}
    response = await client.post(f"/api/v1/orders/{placed['id']}/payment", json=lower, headers=key)
    assert response.status_code == 200, response.text
    assert len(await order_payments(client, auth, placed["customer_id"])) == 1
    assert await billing_status(client, auth, placed["id"]) == "paid"
    await balanced(sessionmaker)


async def _bad_cases(client, auth, sessionmaker) -> dict[str, tuple[dict, int, str, str]]:
    """name → (body changes, status, field, rule or code)."""
    _, invoice = await shipped_invoice(client, auth)
    other = await make_customer(sessionmaker, "OTHER")
    one = [{"invoice_id": invoice["id"], "amount": "20.00"}]
    return {
        "zero": ({"amount": "0"}, 422, "amount", "positive"),
        "negative": ({"amount": "-5.00"}, 422, "amount", "positive"),
        "minor_units": ({"amount": "1.001"}, 422, "amount", "minor_units"),
        "above_payment": (
            {"amount": "10.00", "applications": one},
            422,
            "amount",
            "within_payment",
        ),
        "above_invoice": (
            {"amount": "50.00", "applications": [{**one[0], "amount": "40.00"}]},
            422,
            "amount",
            "within_invoice",
        ),
        "no_rate": (
            {"amount": "20.00", "currency": "USD", "applications": one},
            422,
            "rate",
            "rate_required",
        ),
        "other_customer": (
            {"customer_id": str(other.id), "amount": "20.00", "applications": one},
            422,
            "invoice_id",
            "same_customer",
        ),
        "unknown_invoice": (
            {"amount": "20.00", "applications": [{**one[0], "invoice_id": str(uuid.uuid4())}]},
            422,
            "invoice_id",
            "exists",
        ),
        "unknown_customer": (
            {"customer_id": str(uuid.uuid4()), "amount": "5.00"},
            422,
            "customer_id",
            "exists",
        ),
        "_invoice": (invoice, 0, "", ""),
    }


async def test_bad_payments_are_problems_naming_the_field_and_change_nothing(
    client, auth, data, sessionmaker
) -> None:
    cases = await _bad_cases(client, auth, sessionmaker)
    invoice = cases.pop("_invoice")[0]
    legs_before = len(await balanced(sessionmaker))
    for name, (changes, status, field, rule) in cases.items():
        body = {
            "customer_id": invoice["customer_id"],
            "currency": "CNY",
            "method": "bank_transfer",
            **changes,
        }
        response = await client.post(PAYMENTS, json=body, headers=await finance(auth))
        problem = assert_problem(response, status, field=field)
        assert rule in [e["rule"] for e in problem["errors"]], (name, problem)
    assert await order_payments(client, auth, invoice["customer_id"]) == []
    assert (await invoice_view(client, auth, invoice["id"]))["balance"] == invoice["balance"]
    assert len(await balanced(sessionmaker)) == legs_before


async def test_a_draft_invoice_takes_no_payment(client, auth, data, sessionmaker) -> None:
    async with sessionmaker() as session:
        acme = (await session.scalars(select(Customer).where(Customer.code == "ACME"))).one()
        acme.invoicing_policy = "periodic"
        await session.commit()
    _, shipment = await ship(client, auth, {"S-1": "1"})
    response = await client.post(
        "/api/v1/invoices",
        json={"shipment_ids": [shipment["id"]], "issue": False},
        headers=await finance(auth),
    )
    assert response.status_code == 201, response.text
    draft = response.json()
    assert draft["status"] == "draft"
    payment = (await pay(client, auth, draft["customer_id"], "10.00", apply="none")).json()
    response = await client.post(
        f"{PAYMENTS}/{payment['id']}/applications",
        json={"applications": [{"invoice_id": draft["id"], "amount": "10.00"}]},
        headers=await finance(auth),
    )
    assert_problem(response, 409, code="invoice_not_issued")
    after = (await client.get(f"{PAYMENTS}/{payment['id']}", headers=await finance(auth))).json()
    assert after["unapplied"] == "10.00" and after["applications"] == []


async def test_payments_need_the_payments_scopes(client, auth, data) -> None:
    _, invoice = await shipped_invoice(client, auth, "1")
    body = {
        "customer_id": invoice["customer_id"],
        "amount": "1.00",
        "currency": "CNY",
        "method": "cash",
    }
    sales = await client.post(PAYMENTS, json=body, headers=await auth.as_role("sales"))
    assert_problem(sales, 403)
    key = await auth.with_scopes("orders:write", "orders:payment", channel="storefront")
    assert_problem(await client.post(PAYMENTS, json=body, headers=key), 403)
    assert_problem(await client.get(PAYMENTS, headers=key), 403)


async def test_a_paid_flag_on_a_manual_order_makes_no_payment(client, auth, data) -> None:
    placed, invoice = await shipped_invoice(client, auth)
    response = await client.post(
        f"/api/v1/orders/{placed['id']}/payment",
        json={"status": "paid", "reference": "noted", "amount": "30.00"},
        headers=await finance(auth),
    )
    assert response.status_code == 200, response.text
    assert await order_payments(client, auth, invoice["customer_id"]) == []
    assert await billing_status(client, auth, placed["id"]) == "invoiced"
