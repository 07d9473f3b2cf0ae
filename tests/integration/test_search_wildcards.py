"""``q`` on every list means "contains these characters": ``%`` and ``_`` are not wildcards."""

from __future__ import annotations

from tests.factories import make_customer, make_product, make_warehouse
from tests.integration.test_carriers import create as create_carrier


async def test_percent_and_underscore_match_themselves_on_warehouses(
    client, auth, sessionmaker
) -> None:
    await make_warehouse(sessionmaker, "WQ_1", name="Hall 100% north")
    await make_warehouse(sessionmaker, "WQ-2", name="Hall south")
    headers = await auth.as_role("admin")

    async def codes(q: str) -> list[str]:
        response = await client.get("/api/v1/warehouses", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        return [w["code"] for w in response.json()["items"]]

    assert await codes("%") == ["WQ_1"]
    assert await codes("_") == ["WQ_1"]
    assert await codes("WQ_") == ["WQ_1"]
    assert await codes("!") == []
    assert await codes("WQ") == ["WQ-2", "WQ_1"]


async def test_percent_and_underscore_match_themselves_on_carriers(client, auth) -> None:
    headers = await auth.as_role("admin")
    await create_carrier(client, headers, "CQ_1", name="Fleet 50%")
    await create_carrier(client, headers, "CQ-2", name="Fleet")

    async def codes(q: str) -> list[str]:
        response = await client.get("/api/v1/carriers", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        return [c["code"] for c in response.json()["items"]]

    assert await codes("%") == ["CQ_1"]
    assert await codes("Q_") == ["CQ_1"]
    assert sorted(await codes("CQ")) == ["CQ-2", "CQ_1"]


async def test_percent_and_underscore_match_themselves_on_orders(
    client, auth, sessionmaker
) -> None:
    await make_product(sessionmaker, "QW-1", list_price="10.00")
    await make_customer(sessionmaker, "QCUST")
    headers = await auth.as_role("sales")
    for ref in ("REF_100%", "REF-200"):
        body = {
            "channel": "manual",
            "external_ref": ref,
            "customer": {"code": "QCUST"},
            "lines": [{"sku": "QW-1", "quantity": "1"}],
        }
        created = await client.post("/api/v1/orders", json=body, headers=headers)
        assert created.status_code == 201, created.text

    async def refs(q: str) -> list[str]:
        response = await client.get("/api/v1/orders", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        return sorted(o["external_ref"] for o in response.json()["items"])

    assert await refs("%") == ["REF_100%"]
    assert await refs("F_") == ["REF_100%"]
    assert await refs("REF") == ["REF-200", "REF_100%"]
