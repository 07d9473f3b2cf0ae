"""Invoicing on delivery through HTTP on both engines: an on-delivery customer's own-fleet
shipment is not invoiced when it is confirmed, and is when it is delivered (with proof)."""

from __future__ import annotations

import base64

from tests.integration.billing.test_invoicing import invoices_of, ship
from tests.integration.billing.test_periodic_invoicing import bill_as
from tests.integration.test_shipments import SHIPMENTS, data, order_view

__all__ = ["data"]


async def test_an_on_delivery_customer_is_invoiced_when_the_goods_are_handed_over(
    client, auth, data, sessionmaker
) -> None:
    await bill_as(sessionmaker, "on_delivery", None)
    placed, shipment = await ship(client, auth, {"S-1": "2", "S-2": "1"})
    assert shipment["status"] == "shipped" and shipment["own_fleet"] is True
    assert await invoices_of(client, auth, placed["id"]) == []
    assert (await order_view(client, auth, placed["id"]))["billing_status"] == "unbilled"

    delivered = await client.post(
        f"{SHIPMENTS}/{shipment['id']}/deliver",
        headers=await auth.as_role("warehouse"),
        json={
            "receiver_name": "王五",
            "signature": base64.b64encode(b"\x89PNG signature").decode(),
        },
    )
    assert delivered.status_code == 200, delivered.text
    [invoice] = await invoices_of(client, auth, placed["id"])
    assert invoice["source"] == "on_delivery" and invoice["status"] == "issued"
    assert [(x["sku"], x["quantity"]) for x in invoice["lines"]] == [("S-1", "2"), ("S-2", "1")]
    assert invoice["total"] == placed["totals"]["total"] == "30.00"
    order = await order_view(client, auth, placed["id"])
    assert order["billing_status"] == "invoiced" and order["fulfillment_status"] == "delivered"
