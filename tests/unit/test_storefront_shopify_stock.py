"""The Shopify adapter's stock push (inventorySetQuantities by SKU, per API version) and how
its failures are classified: HTTP statuses, GraphQL errors, timeouts, unreadable answers."""

from __future__ import annotations

import asyncio
import json
import re
from decimal import Decimal

import httpx
import pytest

from app.adapters.storefronts.base import StockLevel, StorefrontAccess, StorefrontError
from app.adapters.storefronts.shopify import ShopifyGateway
from tests.storefront_support import Recorder, fixture, graphql_call, ok

TOKEN = "shpat_test_token"
ACCESS = StorefrontAccess("shopify", "https://lading-test.myshopify.com", access_token=TOKEN)
LOCATION = "gid://shopify/Location/124656943"
KEY = re.compile(r'@idempotent\(key: "([0-9a-f-]{36})"\)')
LEVELS = [
    StockLevel("MUG-BLUE", Decimal("3.7")),
    StockLevel("TEE-S", Decimal("-2")),
    StockLevel("NOPE", Decimal("5")),
]


def shopify() -> Recorder:
    return Recorder(lambda request: graphql_call(request)[1])


def stocked() -> Recorder:
    recorder = shopify().on("LadingPrimaryLocation", ok("shopify/primary_location.json"))
    recorder.on("LadingVariantsBySku", ok("shopify/product_variants_by_sku.json"))
    return recorder.on("LadingSetStock", ok("shopify/inventory_set_quantities.json"))


def mutations(recorder: Recorder) -> list[httpx.Request]:
    return [r for r in recorder.requests if graphql_call(r)[1] == "LadingSetStock"]


def key_of(request: httpx.Request) -> str | None:
    found = KEY.search(json.loads(request.content)["query"])
    return found.group(1) if found else None


async def test_set_stock_sets_available_quantities_of_the_skus_the_shop_carries() -> None:
    recorder = stocked()
    result = await ShopifyGateway(recorder.client()).set_stock(ACCESS, LEVELS, push_id="evt-1")
    assert (tuple(result.updated), tuple(result.unknown)) == (("MUG-BLUE", "TEE-S"), ("NOPE",))
    location, lookup, mutation = recorder.requests
    for request in recorder.requests:
        assert request.method == "POST"
        assert request.url.path == "/admin/api/2026-10/graphql.json"
        assert request.headers["x-shopify-access-token"] == TOKEN
    assert graphql_call(location)[2] == "location"
    assert graphql_call(lookup)[2:] == (
        "productVariants",
        {"query": 'sku:"MUG-BLUE" OR sku:"TEE-S" OR sku:"NOPE"'},
    )
    kind, _, root, variables = graphql_call(mutation)
    assert (kind, root) == ("mutation", "inventorySetQuantities")
    assert variables == {
        "input": {
            "name": "available",
            "reason": "correction",
            "quantities": [
                # MUG-BLUE-XL matched the search but is another SKU: left alone.
                {
                    "inventoryItemId": "gid://shopify/InventoryItem/30322695",
                    "locationId": LOCATION,
                    "quantity": 3,
                    "changeFromQuantity": None,
                },
                {
                    "inventoryItemId": "gid://shopify/InventoryItem/43729076",
                    "locationId": LOCATION,
                    "quantity": 0,
                    "changeFromQuantity": None,
                },
            ],
        }
    }
    assert key_of(mutation) is not None


async def test_the_idempotency_key_is_the_same_for_a_retry_and_new_for_another_push() -> None:
    recorder = stocked()
    gateway = ShopifyGateway(recorder.client())
    await gateway.set_stock(ACCESS, LEVELS, push_id="evt-1")
    await gateway.set_stock(ACCESS, LEVELS, push_id="evt-1")
    await gateway.set_stock(ACCESS, LEVELS, push_id="evt-2")
    await gateway.set_stock(ACCESS, LEVELS)
    await gateway.set_stock(ACCESS, LEVELS)
    first, retry, other, fresh, fresh_again = map(key_of, mutations(recorder))
    assert first == retry
    assert len({first, other, fresh, fresh_again}) == 4


async def test_a_configured_location_is_used_without_asking_for_the_primary_one() -> None:
    recorder = stocked()
    access = StorefrontAccess("shopify", ACCESS.base_url, access_token=TOKEN, location_id="77")
    await ShopifyGateway(recorder.client()).set_stock(access, LEVELS[:1])
    assert "LadingPrimaryLocation" not in recorder.keys
    (quantity,) = graphql_call(mutations(recorder)[0])[3]["input"]["quantities"]
    assert quantity["locationId"] == "gid://shopify/Location/77"


async def test_before_2026_04_the_compare_check_is_opted_out_with_the_input_flag() -> None:
    for version, directive in (("2026-01", True), ("2025-07", False)):
        recorder = stocked()
        access = StorefrontAccess(
            "shopify", ACCESS.base_url, access_token=TOKEN, api_version=version
        )
        await ShopifyGateway(recorder.client()).set_stock(access, LEVELS[:1], push_id="evt-1")
        (mutation,) = mutations(recorder)
        assert mutation.url.path == f"/admin/api/{version}/graphql.json"
        stock_input = graphql_call(mutation)[3]["input"]
        assert stock_input["ignoreCompareQuantity"] is True
        assert "changeFromQuantity" not in stock_input["quantities"][0]
        assert (key_of(mutation) is not None) is directive


async def test_many_skus_are_looked_up_fifty_at_a_time_and_set_250_at_a_time() -> None:
    def variants(request: httpx.Request) -> httpx.Response:
        skus = re.findall(r'sku:"([^"]+)"', graphql_call(request)[3]["query"])
        nodes = [
            {"sku": s, "inventoryItem": {"id": f"gid://shopify/InventoryItem/{s}"}} for s in skus
        ]
        return httpx.Response(200, json={"data": {"productVariants": {"nodes": nodes}}})

    recorder = stocked().on("LadingVariantsBySku", variants)
    levels = [StockLevel(f"S{i}", Decimal(i)) for i in range(300)]
    result = await ShopifyGateway(recorder.client()).set_stock(ACCESS, levels, push_id="p")
    assert len(result.updated) == 300 and not result.unknown
    assert recorder.keys.count("LadingVariantsBySku") == 6
    sizes = [len(graphql_call(m)[3]["input"]["quantities"]) for m in mutations(recorder)]
    assert sizes == [250, 50]


async def test_quoted_skus_are_escaped_in_the_search_and_nothing_is_sent_for_no_levels() -> None:
    recorder = stocked()
    gateway = ShopifyGateway(recorder.client())
    assert not (await gateway.set_stock(ACCESS, [])).updated
    assert recorder.requests == []
    result = await gateway.set_stock(ACCESS, [StockLevel('A"B', Decimal(1))])
    assert result.unknown == ('A"B',)
    assert graphql_call(recorder.requests[1])[3] == {"query": 'sku:"A\\"B"'}
    assert mutations(recorder) == []


async def test_inventory_user_errors_are_refusals() -> None:
    recorder = stocked().on(
        "LadingSetStock", ok("shopify/inventory_set_quantities_user_errors.json")
    )
    with pytest.raises(StorefrontError) as refused:
        await ShopifyGateway(recorder.client()).set_stock(ACCESS, LEVELS)
    assert not refused.value.retryable and refused.value.status is None
    assert "input.quantities.0.locationId: The specified location could not be found." in str(
        refused.value
    )


# --- failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "status", "retryable"),
    [
        (
            httpx.Response(429, headers={"Retry-After": "2.0"}, json={"errors": "Exceeded"}),
            429,
            True,
        ),
        (httpx.Response(503, text="<html>Service unavailable</html>"), 503, True),
        (httpx.Response(500, json={"errors": "Internal"}), 500, True),
        (httpx.Response(401, json=fixture("shopify/invalid_token.json")), 401, False),
        (httpx.Response(404, text="Not Found"), 404, False),
        (httpx.Response(200, json=fixture("shopify/throttled.json")), None, True),
        (httpx.Response(200, json=fixture("shopify/access_denied.json")), None, False),
        (httpx.Response(200, text="<html>maintenance</html>"), 200, True),
        (httpx.Response(200, json={"extensions": {}}), 200, True),
    ],
)
async def test_failures_are_classified(answer: httpx.Response, status, retryable) -> None:
    recorder = shopify().on("LadingPrimaryLocation", answer)
    with pytest.raises(StorefrontError) as failed:
        await ShopifyGateway(recorder.client()).set_stock(ACCESS, LEVELS)
    assert (failed.value.status, failed.value.retryable) == (status, retryable)
    assert failed.value.retry_after == (2.0 if status == 429 else None)


async def test_error_messages_say_what_shopify_said() -> None:
    for name, said in (
        ("shopify/invalid_token.json", "Invalid API key or access token"),
        ("shopify/throttled.json", "Throttled (THROTTLED)"),
        ("shopify/access_denied.json", "Required access: `write_inventory`"),
    ):
        status = 401 if name.endswith("token.json") else 200
        recorder = shopify().on("LadingPrimaryLocation", ok(name, status))
        with pytest.raises(StorefrontError) as failed:
            await ShopifyGateway(recorder.client()).set_stock(ACCESS, LEVELS)
        assert said in str(failed.value)


async def test_transport_failures_and_timeouts_are_retryable() -> None:
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=fixture("shopify/primary_location.json"))

    for handler, timeout in ((refused, 5.0), (slow, 0.05)):
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        with pytest.raises(StorefrontError) as failed:
            await ShopifyGateway(client, timeout_s=timeout).set_stock(ACCESS, LEVELS)
        assert failed.value.retryable and failed.value.status is None


async def test_an_answer_missing_fields_is_a_retryable_malformed_answer() -> None:
    state = fixture("shopify/product_variants_by_sku.json")
    state["data"]["productVariants"]["nodes"][0]["inventoryItem"] = None
    recorder = stocked().on("LadingVariantsBySku", httpx.Response(200, json=state))
    with pytest.raises(StorefrontError) as failed:
        await ShopifyGateway(recorder.client()).set_stock(ACCESS, LEVELS)
    assert failed.value.retryable and "malformed Shopify productVariants answer" in str(
        failed.value
    )


async def test_a_connection_without_a_token_sends_nothing() -> None:
    recorder = stocked()
    bare = StorefrontAccess("shopify", ACCESS.base_url)
    with pytest.raises(StorefrontError) as failed:
        await ShopifyGateway(recorder.client()).set_stock(bare, LEVELS)
    assert not failed.value.retryable and recorder.requests == []
