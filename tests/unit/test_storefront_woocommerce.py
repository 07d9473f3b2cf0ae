"""The WooCommerce storefront adapter against httpx.MockTransport: the exact REST requests
(method, path, basic auth, body), idempotent repeats, stock batches, failure classes. Answers
are shaped as the WooCommerce REST API documentation shows them
(tests/fixtures/storefronts/README.md)."""

from __future__ import annotations

import asyncio
import base64
import json
from decimal import Decimal

import httpx
import pytest

from app.adapters.storefronts.base import (
    DeliveryNotice,
    FulfilledLine,
    FulfilmentNotice,
    StockLevel,
    StorefrontAccess,
    StorefrontError,
)
from app.adapters.storefronts.registry import gateway_for
from app.adapters.storefronts.shopify import ShopifyGateway
from app.adapters.storefronts.woocommerce import WooCommerceGateway
from tests.storefront_support import Recorder, fixture, ok

KEY, SECRET = "ck_test_key", "cs_test_secret"
ACCESS = StorefrontAccess(
    "woocommerce", "https://shop.example.com/", consumer_key=KEY, consumer_secret=SECRET
)
NOTICE = FulfilmentNotice(
    order_id="723",
    reference="SH-2026-000042",
    lines=[FulfilledLine("315", 2)],
    tracking_number="1Z2345",
    carrier_name="UPS",
    tracking_url="https://track.example/1Z2345",
    notify_customer=True,
)
API = "/wp-json/wc/v3"


def woo() -> Recorder:
    return Recorder(lambda r: f"{r.method} {r.url.path}")


def gateway(recorder: Recorder, **kwargs) -> WooCommerceGateway:
    return WooCommerceGateway(recorder.client(), **kwargs)


def body(request: httpx.Request) -> dict:
    return json.loads(request.content)


def assert_auth(recorder: Recorder) -> None:
    expected = "Basic " + base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    for request in recorder.requests:
        assert request.url.host == "shop.example.com" and request.url.scheme == "https"
        assert request.headers["authorization"] == expected


def noted(note_id: int, text: str) -> httpx.Response:
    return httpx.Response(
        200, json=[{**fixture("woocommerce/order_notes.json")[0], "id": note_id, "note": text}]
    )


def completed() -> httpx.Response:
    return httpx.Response(
        200, json={**fixture("woocommerce/order_processing.json"), "status": "completed"}
    )


# --- fulfil ------------------------------------------------------------------------------


async def test_fulfil_adds_a_note_with_the_tracking_and_completes_the_order() -> None:
    recorder = woo().on(f"GET {API}/orders/723/notes", ok("woocommerce/order_notes.json"))
    recorder.on(f"POST {API}/orders/723/notes", ok("woocommerce/order_note_created.json", 201))
    recorder.on(f"GET {API}/orders/723", ok("woocommerce/order_processing.json"))
    recorder.on(f"PUT {API}/orders/723", completed())
    assert await gateway(recorder).fulfil(ACCESS, NOTICE) == "282"
    assert recorder.keys == [
        f"GET {API}/orders/723/notes",
        f"POST {API}/orders/723/notes",
        f"GET {API}/orders/723",
        f"PUT {API}/orders/723",
    ]
    assert_auth(recorder)
    _, note, _, status = recorder.requests
    assert body(note) == {
        "note": "Shipped SH-2026-000042: UPS 1Z2345 https://track.example/1Z2345",
        "customer_note": True,
    }
    assert body(status) == {"status": "completed"}


async def test_a_repeated_fulfilment_finds_its_note_and_leaves_a_completed_order_alone() -> None:
    recorder = woo().on(f"GET {API}/orders/723/notes", noted(282, "Shipped SH-2026-000042: UPS"))
    recorder.on(f"GET {API}/orders/723", completed())
    assert await gateway(recorder).fulfil(ACCESS, NOTICE) == "282"
    assert recorder.keys == [f"GET {API}/orders/723/notes", f"GET {API}/orders/723"]


async def test_a_note_of_another_shipment_with_a_longer_number_is_not_taken_for_this_one() -> None:
    recorder = woo().on(f"GET {API}/orders/723/notes", noted(5, "Shipped SH-2026-0000421: UPS"))
    recorder.on(f"POST {API}/orders/723/notes", ok("woocommerce/order_note_created.json", 201))
    recorder.on(f"GET {API}/orders/723", completed())
    assert await gateway(recorder).fulfil(ACCESS, NOTICE) == "282"
    assert f"POST {API}/orders/723/notes" in recorder.keys


async def test_note_mode_and_a_partial_shipment_leave_the_status_alone() -> None:
    partial = FulfilmentNotice("723", "SH-9", [], None, None, None, complete=False)
    note_only = StorefrontAccess(
        "woocommerce", ACCESS.base_url, consumer_key=KEY, consumer_secret=SECRET,
        woocommerce_mode="note",
    )  # fmt: skip
    for access, notice in ((ACCESS, partial), (note_only, NOTICE)):
        recorder = woo().on(f"GET {API}/orders/723/notes", httpx.Response(200, json=[]))
        recorder.on(f"POST {API}/orders/723/notes", ok("woocommerce/order_note_created.json", 201))
        await gateway(recorder).fulfil(access, notice)
        assert recorder.keys == [f"GET {API}/orders/723/notes", f"POST {API}/orders/723/notes"]
    assert body(recorder.requests[1])["customer_note"] is True
    no_tracking = woo().on(f"GET {API}/orders/723/notes", httpx.Response(200, json=[]))
    no_tracking.on(f"POST {API}/orders/723/notes", ok("woocommerce/order_note_created.json", 201))
    await gateway(no_tracking).fulfil(note_only, partial)
    assert body(no_tracking.requests[1]) == {"note": "Shipped SH-9", "customer_note": False}


async def test_shipment_tracking_extension_gets_the_tracking_number_once() -> None:
    tracked = StorefrontAccess(
        "woocommerce", ACCESS.base_url, consumer_key=KEY, consumer_secret=SECRET,
        woocommerce_shipment_tracking=True,
    )  # fmt: skip
    trackings = "/wp-json/wc-shipment-tracking/v3/orders/723/shipment-trackings"
    recorder = woo().on(f"GET {API}/orders/723/notes", httpx.Response(200, json=[]))
    recorder.on(f"GET {trackings}", ok("woocommerce/shipment_trackings.json"))
    recorder.on(f"POST {trackings}", httpx.Response(201, json={"tracking_id": "abc"}))
    recorder.on(f"POST {API}/orders/723/notes", ok("woocommerce/order_note_created.json", 201))
    recorder.on(f"GET {API}/orders/723", ok("woocommerce/order_processing.json"))
    recorder.on(f"PUT {API}/orders/723", completed())
    await gateway(recorder).fulfil(tracked, NOTICE)
    assert recorder.keys[:3] == [
        f"GET {API}/orders/723/notes",
        f"GET {trackings}",
        f"POST {trackings}",
    ]
    assert body(recorder.requests[2]) == {
        "tracking_number": "1Z2345",
        "custom_tracking_provider": "UPS",
        "custom_tracking_link": "https://track.example/1Z2345",
    }
    assert_auth(recorder)
    again = woo().on(f"GET {API}/orders/723/notes", noted(282, "Shipped SH-2026-000042"))
    listed = [{**fixture("woocommerce/shipment_trackings.json")[0], "tracking_number": "1Z2345"}]
    again.on(f"GET {trackings}", httpx.Response(200, json=listed))
    again.on(f"GET {API}/orders/723", completed())
    await gateway(again).fulfil(tracked, NOTICE)
    assert f"POST {trackings}" not in again.keys


# --- delivered, cancel -------------------------------------------------------------------


async def test_delivered_and_returned_add_a_private_note_once() -> None:
    for event, text in (("delivered", "Delivered SH-1"), ("returned", "Returned SH-1")):
        recorder = woo().on(f"GET {API}/orders/723/notes", ok("woocommerce/order_notes.json"))
        recorder.on(f"POST {API}/orders/723/notes", ok("woocommerce/order_note_created.json", 201))
        await gateway(recorder).delivered(ACCESS, DeliveryNotice("723", "SH-1", "1Z", event))  # type: ignore[arg-type]
        assert body(recorder.requests[1]) == {
            "note": f"{text} (tracking 1Z)",
            "customer_note": False,
        }
        assert_auth(recorder)
    repeat = woo().on(f"GET {API}/orders/723/notes", noted(9, "Delivered SH-1 (tracking 1Z)"))
    await gateway(repeat).delivered(ACCESS, DeliveryNotice("723", "SH-1", "1Z"))
    assert repeat.keys == [f"GET {API}/orders/723/notes"]


async def test_cancel_sets_the_status_and_notes_the_reason_unless_cancelled_already() -> None:
    recorder = woo().on(f"GET {API}/orders/723", ok("woocommerce/order_processing.json"))
    recorder.on(
        f"PUT {API}/orders/723", httpx.Response(200, json={"id": 723, "status": "cancelled"})
    )
    recorder.on(f"POST {API}/orders/723/notes", ok("woocommerce/order_note_created.json", 201))
    await gateway(recorder).cancel(ACCESS, "723", "out of stock")
    assert body(recorder.requests[1]) == {"status": "cancelled"}
    assert body(recorder.requests[2]) == {
        "note": "Cancelled in Lading: out of stock",
        "customer_note": False,
    }
    assert_auth(recorder)
    cancelled = {**fixture("woocommerce/order_processing.json"), "status": "cancelled"}
    again = woo().on(f"GET {API}/orders/723", httpx.Response(200, json=cancelled))
    await gateway(again).cancel(ACCESS, "723", "out of stock")
    assert again.keys == [f"GET {API}/orders/723"]


async def test_a_non_numeric_order_id_sends_nothing() -> None:
    recorder = woo()
    with pytest.raises(StorefrontError) as refused:
        await gateway(recorder).cancel(ACCESS, "wc_order_58d2d042d1d", "x")
    assert not refused.value.retryable and recorder.requests == []


# --- stock -------------------------------------------------------------------------------


async def test_set_stock_batches_products_and_variations_by_parent() -> None:
    recorder = woo().on(f"GET {API}/products", ok("woocommerce/products_by_sku.json"))
    recorder.on(f"POST {API}/products/batch", ok("woocommerce/products_batch.json"))
    recorder.on(
        f"POST {API}/products/799/variations/batch", ok("woocommerce/variations_batch.json")
    )
    levels = [
        StockLevel("PREMIUM", Decimal("7.9")),
        StockLevel("SHIP-BLACK", Decimal("0")),
        StockLevel("GONE", Decimal("3")),
    ]
    result = await gateway(recorder).set_stock(ACCESS, levels)
    assert (tuple(result.updated), tuple(result.unknown)) == (("PREMIUM", "SHIP-BLACK"), ("GONE",))
    lookup, *batches = recorder.requests
    assert lookup.url.params["sku"] == "PREMIUM,SHIP-BLACK,GONE"
    assert (lookup.url.params["per_page"], lookup.url.params["status"]) == ("100", "any")
    sent = {r.url.path: body(r) for r in batches}
    assert sent == {
        f"{API}/products/batch": {
            "update": [{"id": 794, "manage_stock": True, "stock_quantity": 7}]
        },
        f"{API}/products/799/variations/batch": {
            "update": [{"id": 733, "manage_stock": True, "stock_quantity": 0}]
        },
    }
    assert_auth(recorder)


async def test_many_skus_go_in_batches_of_100_and_a_sku_with_a_comma_alone() -> None:
    def products(request: httpx.Request) -> httpx.Response:
        asked = request.url.params["sku"]
        skus = [asked] if asked == "A,B" else asked.split(",")  # WooCommerce: the whole string too
        listed = [{"id": 1000 + i, "sku": s, "type": "simple"} for i, s in enumerate(skus)]
        return httpx.Response(200, json=listed)

    recorder = woo().on(f"GET {API}/products", products)
    recorder.on(f"POST {API}/products/batch", httpx.Response(200, json={"update": []}))
    levels = [StockLevel(f"S{i}", Decimal(1)) for i in range(150)] + [StockLevel("A,B", Decimal(1))]
    result = await gateway(recorder).set_stock(ACCESS, levels)
    assert len(result.updated) == 151
    lookups = [r.url.params["sku"] for r in recorder.requests if r.method == "GET"]
    assert [len(s.split(",")) for s in lookups] == [50, 50, 50, 2] and lookups[-1] == "A,B"
    sizes = [len(body(r)["update"]) for r in recorder.requests if r.method == "POST"]
    assert sizes == [100, 51]


async def test_batch_item_errors_fail_the_push_naming_the_item() -> None:
    recorder = woo().on(f"GET {API}/products", ok("woocommerce/products_by_sku.json"))
    recorder.on(f"POST {API}/products/batch", ok("woocommerce/products_batch_item_error.json"))
    with pytest.raises(StorefrontError) as refused:
        await gateway(recorder).set_stock(ACCESS, [StockLevel("PREMIUM", Decimal(1))])
    assert not refused.value.retryable
    assert "794: woocommerce_rest_product_invalid_id: Invalid ID." in str(refused.value)


# --- failures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "status", "retryable", "said"),
    [
        (httpx.Response(429, headers={"Retry-After": "30"}), 429, True, ""),
        (httpx.Response(502, text="Bad gateway"), 502, True, "Bad gateway"),
        (ok("woocommerce/error_invalid_order.json", 404), 404, False,
         "woocommerce_rest_shop_order_invalid_id: Invalid ID."),
        (ok("woocommerce/error_unauthorized.json", 401), 401, False,
         "Sorry, you cannot list resources."),
        (httpx.Response(200, text="<html>Maintenance mode</html>"), 200, True, "not JSON"),
        (httpx.Response(200, json={"notes": []}), 200, True, "not a list"),
    ],
)  # fmt: skip
async def test_failures_are_classified(answer, status, retryable, said) -> None:
    recorder = woo().on(f"GET {API}/orders/723/notes", answer)
    with pytest.raises(StorefrontError) as failed:
        await gateway(recorder).fulfil(ACCESS, NOTICE)
    assert (failed.value.status, failed.value.retryable) == (status, retryable)
    assert said in str(failed.value)
    assert failed.value.retry_after == (30.0 if status == 429 else None)


async def test_timeouts_and_transport_failures_are_retryable() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=[])

    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    for handler, timeout in ((slow, 0.05), (reset, 5.0)):
        client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        with pytest.raises(StorefrontError) as failed:
            await WooCommerceGateway(client, timeout_s=timeout).fulfil(ACCESS, NOTICE)
        assert failed.value.retryable and failed.value.status is None


async def test_malformed_product_lists_and_missing_credentials() -> None:
    recorder = woo().on(f"GET {API}/products", httpx.Response(200, json=[{"id": "x", "sku": "P"}]))
    with pytest.raises(StorefrontError) as failed:
        await gateway(recorder).set_stock(ACCESS, [StockLevel("P", Decimal(1))])
    assert failed.value.retryable and "malformed WooCommerce products" in str(failed.value)
    bare = woo()
    with pytest.raises(StorefrontError) as unconfigured:
        await gateway(bare).fulfil(StorefrontAccess("woocommerce", ACCESS.base_url), NOTICE)
    assert not unconfigured.value.retryable and bare.requests == []


def test_the_registry_builds_each_platforms_gateway() -> None:
    client = httpx.AsyncClient()
    assert isinstance(gateway_for("shopify", client), ShopifyGateway)
    assert isinstance(gateway_for("woocommerce", client), WooCommerceGateway)
    assert gateway_for("woocommerce", client, timeout_s=3).timeout_s == 3  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="magento"):
        gateway_for("magento", client)
