"""Make to stock through HTTP on both engines: made products below their reorder point get a
draft production request each, counting what open requests still make; purchase suggestions
leave made products out."""

from __future__ import annotations

from tests.factories import make_product
from tests.integration.production.support import MO, data

__all__ = ["data"]


async def test_made_products_below_their_reorder_point_get_requests(
    client, auth, data, sessionmaker
) -> None:
    for sku, method in (("K-1", "make"), ("P-1", "buy")):
        await make_product(
            sessionmaker, sku, supply_method=method, reorder_point="10", production_lead_days=2
        )
    wh = await auth.as_role("warehouse")
    planned = await client.post(f"{MO}/from-reorder-points", headers=wh)
    assert planned.status_code == 201, planned.text
    [request] = planned.json()
    assert (request["sku"], request["quantity"], request["source"]) == (
        "K-1",
        "10",
        "reorder_point",
    )
    again = await client.post(f"{MO}/from-reorder-points", headers=wh)
    assert again.json() == []  # what the open request makes covers it
    suggestions = await client.get(
        "/api/v1/replenishment/suggestions", headers=await auth.as_role("warehouse")
    )
    assert suggestions.status_code == 200, suggestions.text
    skus = {x["sku"] for g in suggestions.json()["groups"] for x in g["lines"]}
    assert skus == {"P-1"}  # K-1 is made, not bought
