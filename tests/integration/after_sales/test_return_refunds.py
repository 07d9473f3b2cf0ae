"""Refunding received returns through HTTP on both engines: a credit note for what arrived,
applied first to what the invoice still owes; what was paid for the goods goes back (never
more), or stays the customer's credit; the order lines record what was credited."""

from __future__ import annotations

from tests.integration.after_sales.support import RETURNS, data, delivered, receive, request_return
from tests.integration.billing.test_invoicing import invoices_of
from tests.integration.billing.test_payments import balanced, credit_of, pay
from tests.integration.billing.test_void import void
from tests.support import assert_problem

__all__ = ["data"]
CHECK = "/api/v1/admin/check"


async def _received(client, auth, *, paid: bool) -> tuple[dict, dict]:
    """S-1 × 3 delivered and invoiced (30.00, paid by bank transfer with ``paid``); two
    returned, one restocked and one scrapped."""
    order, _ = await delivered(client, auth, {"S-1": "3"})
    if paid:
        response = await pay(client, auth, order["customer_id"], "30.00")
        assert response.status_code == 201, response.text
    ret = await request_return(client, auth, order, {"S-1": "2"})
    inspected = {"restock": "1", "scrap": "1", "scrap_reason": "cracked"}
    return order, await receive(client, auth, ret, {"S-1": inspected})


def rules(problem: dict) -> set[tuple[str, str]]:
    return {(e["field"], e["rule"]) for e in problem["errors"]}


async def refund(client, auth, ret: dict, role: str = "finance", **body):
    return await client.post(
        f"{RETURNS}/{ret['id']}/refund", headers=await auth.as_role(role), json=body
    )


async def test_a_refund_pays_back_what_was_paid_for_the_goods(client, auth, data, sessionmaker):
    order, ret = await _received(client, auth, paid=True)
    assert (await refund(client, auth, ret, role="sales")).status_code == 403  # finance's
    no_method = await refund(client, auth, ret)  # paid by transfer, not through the order
    assert rules(assert_problem(no_method, 422, field="method")) == {("method", "required")}
    too_much = await refund(client, auth, ret, method="bank_transfer", amount="20.01")
    assert rules(assert_problem(too_much, 422)) == {("amount", "within_unapplied")}
    response = await refund(client, auth, ret, method="bank_transfer", reference="RF-BANK-1")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "resolved" and body["resolution"] == "refund"
    assert body["refunded_amount"] == "20.00" and body["refund_id"] is not None
    assert [(x["received"], x["credited"]) for x in body["lines"]] == [("2", "2")]
    note = await client.get(
        f"/api/v1/credit-notes/{body['credit_note_id']}", headers=await auth.as_role("finance")
    )
    assert note.json()["total"] == "20.00" and note.json()["unapplied"] == "0.00", note.text
    placed = (
        await client.get(f"/api/v1/orders/{order['id']}", headers=await auth.as_role("sales"))
    ).json()
    assert [(x["returned"], x["credited"]) for x in placed["lines"]] == [("2", "2")]
    assert placed["billing_status"] == "partially_credited"
    assert placed["fulfillment_status"] == "partially_returned"
    again = await refund(client, auth, ret, method="bank_transfer")
    assert_problem(again, 409, code="return_not_received")
    legs = await balanced(sessionmaker)
    assert credit_of(legs) == 0  # 30 paid, 20 credited and paid back: nothing left over
    report = (await client.get(CHECK, headers=await auth.as_role("admin"))).json()
    assert report["ok"] is True, report


async def test_an_unpaid_invoice_takes_the_credit_and_nothing_is_paid_back(client, auth, data):
    order, ret = await _received(client, auth, paid=False)
    response = await refund(client, auth, ret)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refunded_amount"] == "0.00" and body["refund_id"] is None
    [invoice] = await invoices_of(client, auth, order["id"])
    assert invoice["balance"] == "10.00"  # 30.00 less the 20.00 credited
    # Voiding the invoice takes its returned-goods credit back off the order line with it.
    voided = await void(client, auth, invoice)
    assert voided.status_code == 200, voided.text
    placed = (
        await client.get(f"/api/v1/orders/{order['id']}", headers=await auth.as_role("sales"))
    ).json()
    assert [(x["invoiced"], x["credited"]) for x in placed["lines"]] == [("0", "0")]
    report = (await client.get(CHECK, headers=await auth.as_role("admin"))).json()
    assert report["ok"] is True, report


async def test_the_credit_may_stay_the_customers(client, auth, data, sessionmaker):
    _, ret = await _received(client, auth, paid=True)
    response = await refund(client, auth, ret, keep_as_credit=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refund_id"] is None and body["status"] == "resolved"
    note = await client.get(
        f"/api/v1/credit-notes/{body['credit_note_id']}", headers=await auth.as_role("finance")
    )
    assert note.json()["unapplied"] == "20.00", note.text
    assert credit_of(await balanced(sessionmaker)) == 20


async def test_a_return_not_received_or_refused_input_changes_nothing(client, auth, data):
    order, _ = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "1"})
    assert_problem(await refund(client, auth, ret), 409, code="return_not_received")
    ret = await receive(client, auth, ret, {"S-1": {"restock": "1"}})
    bad = await refund(client, auth, ret, amount="-1", method="bank_transfer")
    assert bad.status_code == 422, bad.text
    unknown = await refund(client, auth, ret, method="barter")
    assert_problem(unknown, 422, field="body.method")
    after = (await client.get(f"{RETURNS}/{ret['id']}", headers=await auth.as_role("sales"))).json()
    assert after["status"] == "received" and after["credit_note_id"] is None
    [invoice] = await invoices_of(client, auth, order["id"])
    assert invoice["balance"] == "30.00"
