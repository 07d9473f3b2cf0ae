"""A replacement for a return through HTTP on both engines: a new order of the returned SKUs
at zero price, linked to the RMA, approved and allocated as any order."""

from __future__ import annotations

from tests.integration.after_sales.support import RETURNS, data, delivered, request_return
from tests.integration.test_shipments import headers

__all__ = ["data"]


async def test_a_replacement_order_is_free_approved_and_allocated(client, auth, data) -> None:
    order, _ = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "1"}, resolution="replacement")
    response = await client.post(
        "/api/v1/stock/movements",
        headers=await headers(auth),
        json={"warehouse": "HZ", "sku": "S-1", "kind": "receipt", "quantity": "1"},
    )
    assert response.status_code == 201, response.text
    response = await client.post(
        f"{RETURNS}/{ret['id']}/replacement", headers=await auth.as_role("sales")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["return"]["status"] == "resolved"
    new = body["order"]
    assert body["return"]["resolution_order_id"] == new["id"]
    assert new["external_ref"] == ret["number"] and new["totals"]["total"] == "0.00"
    assert [(x["sku"], x["quantity"], x["price_source"]) for x in new["lines"]] == [
        ("S-1", "1", "replacement")
    ]
    assert new["status"] == "approved" and new["fulfillment_status"] == "reserved"
    again = await client.post(
        f"{RETURNS}/{ret['id']}/replacement", headers=await auth.as_role("sales")
    )
    assert again.status_code == 409, again.text
