"""Return shipments in the carriers' request shapes: EasyPost's ``is_return`` with the
original shipment's addresses (EasyPost swaps them), the generic protocol's ``"return"`` flag."""

from __future__ import annotations

import dataclasses
import json

import httpx

from app.adapters.carriers.base import PostalAddress, Rate
from tests.unit.test_carrier_adapters import (
    EP_BOUGHT,
    EP_SHIPMENT,
    GENERIC_LABEL,
    SHIPMENT,
    easypost,
    generic,
)

CUSTOMER = PostalAddress("Li Lei", "1 Nanjing Rd", "Shanghai", "CN", state="SH", zip="200001")
WAREHOUSE = PostalAddress("HZ warehouse", "9 Depot St", "Hangzhou", "CN", state="ZJ")
RETURN = dataclasses.replace(
    SHIPMENT, origin=CUSTOMER, destination=WAREHOUSE, is_return=True, country="CN", region="ZJ"
)


async def test_easypost_return_sends_is_return_with_the_original_addresses() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v2/shipments":
            return httpx.Response(201, json=EP_SHIPMENT)
        return httpx.Response(200, json=EP_BOUGHT)

    gateway = easypost(handler)
    (rate, _) = await gateway.quote(RETURN)
    await gateway.buy_label(RETURN, rate, "key-r")
    body = json.loads(seen[0].content)["shipment"]
    assert body["is_return"] is True
    # As the outbound shipment had them: the warehouse sends, the customer receives.
    assert body["from_address"]["name"] == "HZ warehouse"
    assert body["to_address"]["name"] == "Li Lei" and body["to_address"]["zip"] == "200001"
    assert seen[1].url.path == "/v2/shipments/shp_1/buy"


async def test_easypost_ordinary_shipment_has_no_return_flag() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=EP_SHIPMENT)

    outbound = dataclasses.replace(RETURN, is_return=False)
    await easypost(handler).quote(outbound)
    body = json.loads(seen[0].content)["shipment"]
    assert "is_return" not in body
    assert body["from_address"]["name"] == "Li Lei"
    assert body["to_address"]["name"] == "HZ warehouse"


async def test_generic_return_quote_and_label_carry_the_return_flag() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/quotes"):
            return httpx.Response(200, json={"rates": []})
        return httpx.Response(201, json=GENERIC_LABEL)

    gateway = generic(handler)
    await gateway.quote(RETURN)
    rate = Rate("regional", "express", SHIPMENT.weight_kg, "CNY", None)
    await gateway.buy_label(RETURN, rate, "k")
    quote, label = (json.loads(r.content) for r in seen)
    assert quote["return"] is True and label["return"] is True
    assert quote["destination"] == {"country": "CN", "region": "ZJ"}
    assert label["service"] == "express"


async def test_generic_ordinary_shipment_has_no_return_flag() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"rates": []})

    await generic(handler).quote(SHIPMENT)
    assert "return" not in json.loads(seen[0].content)
