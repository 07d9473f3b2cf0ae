"""After-sales end to end through HTTP on both engines: a prepaid storefront order, delivered,
is returned in part with a carrier's return label, received with one unit restocked and one
scrapped, and refunded by credit note to the storefront's payment; the books balance and
`lading check` finds nothing. (Replacements and exchanges to delivered:
test_return_replacements.py; cases and ratings from the tracking link: test_cases.py.)"""

from __future__ import annotations

from decimal import Decimal

from tests.integration.after_sales.support import (
    RETURNS,
    data,
    hand_over,
    on_hand,
    receive,
    request_return,
)
from tests.integration.billing.test_invoicing import invoices_of
from tests.integration.billing.test_payments import (
    balanced,
    credit_of,
    order_payments,
    receivable_of,
    storefront_order,
)
from tests.integration.test_labels import fake_hosts_allowed, fakes, generic
from tests.integration.test_shipments import confirm, created, verify

__all__ = ["data", "fake_hosts_allowed", "fakes"]
CHECK = "/api/v1/admin/check"


async def _delivered_storefront_order(client, auth) -> dict:
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    placed = await storefront_order(
        client, auth, key, {"status": "paid", "reference": "GW-7", "amount": "30.00"}
    )
    shipment = await created(client, auth, placed["id"], None, packed={"S-1": "3"})
    assert (await verify(client, auth, shipment["id"], {"S-1": "3"})).status_code == 200
    response = await confirm(client, auth, shipment["id"])
    assert response.status_code == 200, response.text
    await hand_over(client, auth, response.json())
    return placed


async def test_a_storefront_return_with_a_label_is_received_and_refunded(
    client, auth, data, fakes, sessionmaker
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    order = await _delivered_storefront_order(client, auth)
    ret = await request_return(client, auth, order, {"S-1": "2"}, method="carrier_label")
    assert ret["status"] == "approved" and ret["approval"] == "automatic"  # 20.00 < 500
    label = await client.post(
        f"{RETURNS}/{ret['id']}/label",
        headers=await auth.as_role("sales"),
        json={"carrier": "GOOD", "service": "economy"},
    )
    assert label.status_code == 200, label.text
    assert label.json()["label_status"] == "purchased"

    scrap = {"restock": "1", "scrap": "1", "scrap_reason": "screen cracked"}
    received = await receive(client, auth, ret, {"S-1": scrap})
    assert received["status"] == "received"
    assert await on_hand(client, auth, "S-1") == ("1", "0")  # one back on the shelf

    response = await client.post(
        f"{RETURNS}/{ret['id']}/refund", headers=await auth.as_role("finance"), json={}
    )
    assert response.status_code == 200, response.text
    refunded = response.json()
    assert refunded["status"] == "resolved" and refunded["refunded_amount"] == "20.00"
    refund = await client.get(
        f"/api/v1/refunds/{refunded['refund_id']}", headers=await auth.as_role("finance")
    )
    assert refund.status_code == 200, refund.text
    # Back through the storefront's gateway, against the order's own payment.
    assert (refund.json()["method"], refund.json()["reference"]) == ("storefront_gateway", "GW-7")
    assert refund.json()["credit_note_id"] == refunded["credit_note_id"]

    [invoice] = await invoices_of(client, auth, order["id"])
    assert invoice["standing"] == "paid" and invoice["balance"] == "0.00"
    [payment] = await order_payments(client, auth, order["customer_id"])
    assert payment["unapplied"] == "0.00"  # the 30.00 paid the invoice; 20.00 came back
    placed = (
        await client.get(f"/api/v1/orders/{order['id']}", headers=await auth.as_role("sales"))
    ).json()
    assert placed["fulfillment_status"] == "partially_returned"
    assert placed["billing_status"] == "partially_credited"
    assert [(x["delivered"], x["returned"], x["credited"]) for x in placed["lines"]] == [
        ("3", "2", "2")
    ]
    legs = await balanced(sessionmaker)
    assert receivable_of(legs) == 0 and credit_of(legs) == Decimal(0)
    report = (await client.get(CHECK, headers=await auth.as_role("admin"))).json()
    assert report["ok"] is True, report
