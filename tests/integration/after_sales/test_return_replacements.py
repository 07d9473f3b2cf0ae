"""Replacements and exchanges through HTTP on both engines: a new order linked to the RMA,
submitted to review and allocated as any order — a replacement of what arrived at no charge,
an exchange of the SKUs asked for at their price, its invoice settled by the returned goods'
credit note."""

from __future__ import annotations

from tests.factories import make_product
from tests.integration.after_sales.support import (
    RETURNS,
    data,
    delivered,
    fulfil,
    receive,
    request_return,
)
from tests.integration.billing.test_invoicing import invoices_of
from tests.integration.billing.test_payments import balanced, pay
from tests.integration.test_shipments import headers
from tests.support import assert_problem

__all__ = ["data"]


async def _stock(client, auth, sku: str, quantity: str) -> None:
    response = await client.post(
        "/api/v1/stock/movements",
        headers=await headers(auth),
        json={"warehouse": "HZ", "sku": sku, "kind": "receipt", "quantity": quantity},
    )
    assert response.status_code == 201, response.text


async def test_a_replacement_order_is_free_approved_and_allocated(client, auth, data) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "2"}, resolution="replacement")
    early = await client.post(
        f"{RETURNS}/{ret['id']}/replacement", headers=await auth.as_role("sales")
    )
    assert_problem(early, 409, code="return_not_received")
    ret = await receive(client, auth, ret, {"S-1": {"restock": "1", "scrap": "0"}})
    response = await client.post(
        f"{RETURNS}/{ret['id']}/replacement", headers=await auth.as_role("sales")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["return"]["status"] == "resolved" and body["price_difference"] is None
    new = body["order"]
    assert body["return"]["resolution_order_id"] == new["id"]
    assert new["external_ref"] == ret["number"] and new["totals"]["total"] == "0.00"
    assert [(x["sku"], x["ordered"], x["price_source"]) for x in new["lines"]] == [
        ("S-1", "1", "replacement")  # what arrived, not what was asked for
    ]
    assert new["status"] == "approved" and new["fulfillment_status"] == "reserved"
    again = await client.post(
        f"{RETURNS}/{ret['id']}/replacement", headers=await auth.as_role("sales")
    )
    assert_problem(again, 409, code="return_not_received")
    shipment = await fulfil(client, auth, new["id"], {"S-1": "1"})
    assert shipment["status"] == "delivered"
    after = (
        await client.get(f"/api/v1/orders/{new['id']}", headers=await auth.as_role("sales"))
    ).json()
    assert after["fulfillment_status"] == "delivered", after
    assert (after["billing_status"], after["completed"]) == ("paid", True), after


async def test_only_the_requested_resolution_or_a_refund(client, auth, data) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "1"})  # a refund
    ret = await receive(client, auth, ret, {"S-1": {"restock": "1"}})
    response = await client.post(
        f"{RETURNS}/{ret['id']}/replacement", headers=await auth.as_role("sales")
    )
    assert_problem(response, 409, code="resolution_not_requested")
    viewer = await client.post(
        f"{RETURNS}/{ret['id']}/replacement", headers=await auth.as_role("viewer")
    )
    assert viewer.status_code == 403, viewer.text


async def _exchanged(
    client, auth, exchange_sku: str, *, paid: bool = False
) -> tuple[dict, dict, dict]:
    """S-1 × 3 delivered and invoiced (30.00, paid with ``paid``), one of them returned for
    ``exchange_sku``."""
    order, _ = await delivered(client, auth, {"S-1": "3"})
    if paid:
        response = await pay(client, auth, order["customer_id"], "30.00")
        assert response.status_code == 201, response.text
    ret = await request_return(
        client, auth, order, {"S-1": "1"}, resolution="exchange", exchange={"S-1": exchange_sku}
    )
    ret = await receive(client, auth, ret, {"S-1": {"restock": "1"}})
    sales = await client.post(
        f"{RETURNS}/{ret['id']}/exchange", headers=await auth.as_role("sales")
    )
    assert sales.status_code == 403, sales.text  # it issues a credit note: finance's
    response = await client.post(
        f"{RETURNS}/{ret['id']}/exchange", headers=await auth.as_role("admin")
    )
    assert response.status_code == 201, response.text
    return order, ret, response.json()


async def test_an_exchange_credits_the_goods_and_orders_the_other_sku(
    client, auth, data, sessionmaker
) -> None:
    await make_product(sessionmaker, "S-3", list_price="25.00", floor_price=None, tax_rate="0")
    await _stock(client, auth, "S-3", "5")
    order, ret, body = await _exchanged(client, auth, "S-3", paid=True)
    assert body["return"]["status"] == "resolved" and body["return"]["resolution"] == "exchange"
    assert body["return"]["credit_note_id"] is not None
    new = body["order"]
    assert [(x["sku"], x["ordered"], x["total"]) for x in new["lines"]] == [("S-3", "1", "25.00")]
    assert new["external_ref"] == ret["number"] and new["status"] == "approved"
    assert body["price_difference"] == "15.00"  # 25.00 for the new goods, 10.00 credited
    original = (
        await client.get(f"/api/v1/orders/{order['id']}", headers=await auth.as_role("sales"))
    ).json()
    assert [(x["returned"], x["credited"]) for x in original["lines"]] == [("1", "1")]
    assert original["billing_status"] == "partially_credited"
    # Delivered; its invoice settled by the 10.00 credit, 15.00 left to pay.
    shipment = await fulfil(client, auth, new["id"], {"S-3": "1"})
    assert shipment["status"] == "delivered"
    [invoice] = await invoices_of(client, auth, new["id"])
    assert invoice["total"] == "25.00" and invoice["balance"] == "15.00"
    note = await client.get(
        f"/api/v1/credit-notes/{body['return']['credit_note_id']}",
        headers=await auth.as_role("finance"),
    )
    assert note.json()["unapplied"] == "0.00", note.text
    await balanced(sessionmaker)


async def test_an_exchange_for_less_leaves_the_difference_as_credit(
    client, auth, data, sessionmaker
) -> None:
    await make_product(sessionmaker, "S-4", list_price="4.00", floor_price=None, tax_rate="0")
    await _stock(client, auth, "S-4", "5")
    _, _, body = await _exchanged(client, auth, "S-4", paid=True)
    assert body["price_difference"] == "-6.00"
    await fulfil(client, auth, body["order"]["id"], {"S-4": "1"})
    [invoice] = await invoices_of(client, auth, body["order"]["id"])
    assert invoice["balance"] == "0.00"
    note = await client.get(
        f"/api/v1/credit-notes/{body['return']['credit_note_id']}",
        headers=await auth.as_role("finance"),
    )
    assert note.json()["unapplied"] == "6.00", note.text  # the customer's, to refund or use
    await balanced(sessionmaker)
