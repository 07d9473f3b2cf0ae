"""The Shopify storefront adapter against httpx.MockTransport: the exact GraphQL documents
and variables it sends, idempotent repeats, and how each failure is classified. Answers are
shaped as shopify.dev documents them (tests/fixtures/storefronts/README.md)."""

from __future__ import annotations

import copy
import json

import httpx
import pytest

from app.adapters.storefronts.base import (
    DeliveryNotice,
    FulfilledLine,
    FulfilmentNotice,
    StorefrontAccess,
    StorefrontError,
)
from app.adapters.storefronts.shopify import ShopifyGateway
from tests.storefront_support import Recorder, fixture, graphql_call, ok

TOKEN = "shpat_test_token"
ACCESS = StorefrontAccess("shopify", "https://lading-test.myshopify.com", access_token=TOKEN)
ORDER_GID = "gid://shopify/Order/450789469"
FO_OPEN = "gid://shopify/FulfillmentOrder/1046000818"
NOTICE = FulfilmentNotice(
    order_id="450789469",
    reference="SH-2026-000042",
    lines=[FulfilledLine("466157049", 2)],
    tracking_number="1Z2345",
    carrier_name="UPS",
    tracking_url="https://track.example/1Z2345",
    notify_customer=True,
)


def shopify() -> Recorder:
    return Recorder(lambda request: graphql_call(request)[1])


def gateway(recorder: Recorder, **kwargs) -> ShopifyGateway:
    return ShopifyGateway(recorder.client(), **kwargs)


def assert_graphql(request: httpx.Request, version: str = "2026-10") -> None:
    assert request.method == "POST"
    assert str(request.url) == (
        f"https://lading-test.myshopify.com/admin/api/{version}/graphql.json"
    )
    assert request.headers["x-shopify-access-token"] == TOKEN
    assert request.headers["content-type"] == "application/json"


def sent(recorder: Recorder, operation: str) -> dict:
    """The variables of the one request of ``operation``."""
    (variables,) = [
        graphql_call(r)[3] for r in recorder.requests if graphql_call(r)[1] == operation
    ]
    return variables


# --- fulfil ------------------------------------------------------------------------------


async def test_fulfil_creates_a_fulfilment_on_the_open_fulfillment_order() -> None:
    recorder = shopify().on("LadingFulfilmentState", ok("shopify/order_fulfilment_state.json"))
    recorder.on("LadingFulfil", ok("shopify/fulfillment_create.json"))
    fulfilment_id = await gateway(recorder).fulfil(ACCESS, NOTICE)
    assert fulfilment_id == "gid://shopify/Fulfillment/1069019881"
    state, create = recorder.requests
    for request in (state, create):
        assert_graphql(request)
    assert graphql_call(state)[:3] == ("query", "LadingFulfilmentState", "order")
    assert graphql_call(state)[3] == {"id": ORDER_GID}
    assert graphql_call(create)[:3] == ("mutation", "LadingFulfil", "fulfillmentCreate")
    assert graphql_call(create)[3] == {
        "fulfillment": {
            "lineItemsByFulfillmentOrder": [
                {
                    "fulfillmentOrderId": FO_OPEN,
                    "fulfillmentOrderLineItems": [
                        {"id": "gid://shopify/FulfillmentOrderLineItem/1058737493", "quantity": 2}
                    ],
                }
            ],
            "trackingInfo": {
                "number": "1Z2345",
                "company": "UPS",
                "url": "https://track.example/1Z2345",
            },
            "notifyCustomer": True,
        }
    }


async def test_a_repeated_fulfilment_finds_the_existing_one_and_sends_no_mutation() -> None:
    recorder = shopify().on("LadingFulfilmentState", ok("shopify/order_fulfilled.json"))
    recorder.on("LadingFulfilmentLines", ok("shopify/fulfillment_lines.json"))
    fulfilment_id = await gateway(recorder).fulfil(ACCESS, NOTICE)
    assert fulfilment_id == "gid://shopify/Fulfillment/255858046"
    assert recorder.keys == ["LadingFulfilmentState", "LadingFulfilmentLines"]
    assert graphql_call(recorder.requests[1])[2:] == ("fulfillment", {"id": fulfilment_id})
    # A whole-order notice needs no look at the lines.
    whole = FulfilmentNotice(ORDER_GID, "SH-2026-000042", [], "1Z2345", "UPS", None)
    again = shopify().on("LadingFulfilmentState", ok("shopify/order_fulfilled.json"))
    assert await gateway(again).fulfil(ACCESS, whole) == fulfilment_id
    assert again.keys == ["LadingFulfilmentState"]


async def test_fulfilments_with_another_tracking_number_or_cancelled_do_not_count() -> None:
    state = fixture("shopify/order_fulfilment_state.json")
    other = fixture("shopify/order_fulfilled.json")["data"]["order"]["fulfillments"][0]
    cancelled = {**other, "id": "gid://shopify/Fulfillment/2", "status": "CANCELLED"}
    state["data"]["order"]["fulfillments"] = [
        {**other, "trackingInfo": [{"number": "OTHER"}]},
        {**cancelled, "trackingInfo": [{"number": "1Z2345"}]},
    ]
    recorder = shopify().on("LadingFulfilmentState", httpx.Response(200, json=state))
    recorder.on("LadingFulfil", ok("shopify/fulfillment_create.json"))
    assert await gateway(recorder).fulfil(ACCESS, NOTICE) == "gid://shopify/Fulfillment/1069019881"
    assert recorder.keys == ["LadingFulfilmentState", "LadingFulfil"]


async def test_a_retry_after_half_a_fulfilment_sends_only_what_is_missing() -> None:
    state = fixture("shopify/order_fulfilment_state.json")
    held = fixture("shopify/order_fulfilled.json")["data"]["order"]["fulfillments"]
    state["data"]["order"]["fulfillments"] = held
    state["data"]["order"]["fulfillmentOrders"]["nodes"][0]["lineItems"]["nodes"][0][
        "remainingQuantity"
    ] = 1
    lines = fixture("shopify/fulfillment_lines.json")
    lines["data"]["fulfillment"]["fulfillmentLineItems"]["nodes"] = [
        {"quantity": 1, "lineItem": {"id": "gid://shopify/LineItem/466157049"}}
    ]
    recorder = shopify().on("LadingFulfilmentState", httpx.Response(200, json=state))
    recorder.on("LadingFulfilmentLines", httpx.Response(200, json=lines))
    recorder.on("LadingFulfil", ok("shopify/fulfillment_create.json"))
    fulfilment_id = await gateway(recorder).fulfil(ACCESS, NOTICE)
    assert fulfilment_id == "gid://shopify/Fulfillment/255858046"  # the first one
    (group,) = sent(recorder, "LadingFulfil")["fulfillment"]["lineItemsByFulfillmentOrder"]
    assert group["fulfillmentOrderLineItems"] == [
        {"id": "gid://shopify/FulfillmentOrderLineItem/1058737493", "quantity": 1}
    ]


async def test_without_a_tracking_number_the_shipment_number_stands_in() -> None:
    recorder = shopify().on("LadingFulfilmentState", ok("shopify/order_fulfilment_state.json"))
    recorder.on("LadingFulfil", ok("shopify/fulfillment_create.json"))
    notice = FulfilmentNotice(
        "gid://shopify/Order/450789469", "SH-2026-000042", [], None, None, None
    )
    await gateway(recorder).fulfil(ACCESS, notice)
    fulfilment = sent(recorder, "LadingFulfil")["fulfillment"]
    assert fulfilment["trackingInfo"] == {"number": "SH-2026-000042"}
    assert fulfilment["notifyCustomer"] is False
    # No lines: the whole of every open fulfillment order (the closed one is left out).
    assert fulfilment["lineItemsByFulfillmentOrder"] == [{"fulfillmentOrderId": FO_OPEN}]


async def test_lines_at_two_locations_make_one_fulfilment_per_location() -> None:
    state = fixture("shopify/order_fulfilment_state.json")
    other = copy.deepcopy(state["data"]["order"]["fulfillmentOrders"]["nodes"][0])
    other["id"] = "gid://shopify/FulfillmentOrder/2"
    other["assignedLocation"]["location"]["id"] = "gid://shopify/Location/2"
    other["lineItems"]["nodes"] = [
        {"id": "gid://shopify/FulfillmentOrderLineItem/9", "remainingQuantity": 3,
         "lineItem": {"id": "gid://shopify/LineItem/466157049"}},
    ]  # fmt: skip
    state["data"]["order"]["fulfillmentOrders"]["nodes"].append(other)
    recorder = shopify().on("LadingFulfilmentState", httpx.Response(200, json=state))
    recorder.on("LadingFulfil", ok("shopify/fulfillment_create.json"))
    notice = FulfilmentNotice(ORDER_GID, "SH-1", [FulfilledLine("466157049", 4)], "T", None, None)
    await gateway(recorder).fulfil(ACCESS, notice)
    creates = [
        graphql_call(r)[3] for r in recorder.requests if graphql_call(r)[1] == "LadingFulfil"
    ]
    groups = [c["fulfillment"]["lineItemsByFulfillmentOrder"] for c in creates]
    assert groups == [
        [{"fulfillmentOrderId": FO_OPEN, "fulfillmentOrderLineItems": [
            {"id": "gid://shopify/FulfillmentOrderLineItem/1058737493", "quantity": 2}]}],
        [{"fulfillmentOrderId": "gid://shopify/FulfillmentOrder/2", "fulfillmentOrderLineItems": [
            {"id": "gid://shopify/FulfillmentOrderLineItem/9", "quantity": 2}]}],
    ]  # fmt: skip


async def test_a_line_shopify_has_nothing_left_of_is_refused_before_sending() -> None:
    recorder = shopify().on("LadingFulfilmentState", ok("shopify/order_fulfilment_state.json"))
    notice = FulfilmentNotice(ORDER_GID, "SH-1", [FulfilledLine("703073504", 1)], "T", None, None)
    with pytest.raises(StorefrontError) as refused:
        await gateway(recorder).fulfil(ACCESS, notice)
    assert not refused.value.retryable
    assert "gid://shopify/LineItem/703073504 (1 short)" in str(refused.value)
    assert recorder.keys == ["LadingFulfilmentState"]


async def test_an_unknown_order_is_a_404_and_a_bad_id_sends_nothing() -> None:
    recorder = shopify().on(
        "LadingFulfilmentState", httpx.Response(200, json={"data": {"order": None}})
    )
    with pytest.raises(StorefrontError) as missing:
        await gateway(recorder).fulfil(ACCESS, NOTICE)
    assert (missing.value.status, missing.value.retryable) == (404, False)
    bad = FulfilmentNotice("#1001", "SH-1", [], "T", None, None)
    with pytest.raises(StorefrontError):
        await gateway(recorder).fulfil(ACCESS, bad)
    assert len(recorder.requests) == 1


async def test_user_errors_of_fulfillment_create_are_refusals_naming_the_field() -> None:
    recorder = shopify().on("LadingFulfilmentState", ok("shopify/order_fulfilment_state.json"))
    recorder.on("LadingFulfil", ok("shopify/fulfillment_create_user_errors.json"))
    with pytest.raises(StorefrontError) as refused:
        await gateway(recorder).fulfil(ACCESS, NOTICE)
    assert not refused.value.retryable
    assert "fulfillmentCreate refused" in str(refused.value)
    assert "fulfillmentOrderLineItems.0.quantity: Invalid fulfillment order line item" in str(
        refused.value
    )


@pytest.mark.parametrize(
    "order",
    [
        {"id": ORDER_GID, "fulfillments": ["x"], "fulfillmentOrders": {"nodes": [1]}},
        {
            "id": ORDER_GID,
            "fulfillments": [],
            "fulfillmentOrders": {"nodes": [{"status": "OPEN", "lineItems": {"nodes": [{}]}}]},
        },
        {"id": ORDER_GID, "fulfillments": {"id": 1}, "fulfillmentOrders": None},
        {
            "id": ORDER_GID,
            "fulfillments": [{"status": "SUCCESS", "trackingInfo": [{"number": "1Z2345"}]}],
        },
    ],
)
async def test_an_order_answer_of_the_wrong_shape_is_a_retryable_malformed_answer(order) -> None:
    recorder = shopify().on(
        "LadingFulfilmentState", httpx.Response(200, json={"data": {"order": order}})
    )
    with pytest.raises(StorefrontError) as failed:
        await gateway(recorder).fulfil(ACCESS, NOTICE)
    assert failed.value.retryable and "malformed Shopify" in str(failed.value)
    assert recorder.keys == ["LadingFulfilmentState"]


# --- delivered, cancel -------------------------------------------------------------------


async def test_delivered_posts_a_delivered_event_on_the_fulfilment_once() -> None:
    recorder = shopify().on("LadingOrderFulfilments", ok("shopify/order_fulfilled.json"))
    recorder.on("LadingFulfilmentEvent", ok("shopify/fulfillment_event_create.json"))
    notice = DeliveryNotice("450789469", "SH-2026-000042", "1Z2345")
    await gateway(recorder).delivered(ACCESS, notice)
    event = recorder.requests[1]
    assert_graphql(event)
    assert graphql_call(event)[:3] == (
        "mutation",
        "LadingFulfilmentEvent",
        "fulfillmentEventCreate",
    )
    assert graphql_call(event)[3] == {
        "fulfillmentEvent": {
            "fulfillmentId": "gid://shopify/Fulfillment/255858046",
            "status": "DELIVERED",
        }
    }
    # Shown delivered already: nothing more is sent.
    state = fixture("shopify/order_fulfilled.json")
    state["data"]["order"]["fulfillments"][0]["displayStatus"] = "DELIVERED"
    again = shopify().on("LadingOrderFulfilments", httpx.Response(200, json=state))
    await gateway(again).delivered(ACCESS, notice)
    assert again.keys == ["LadingOrderFulfilments"]


async def test_delivered_without_a_matching_fulfilment_or_for_a_return_sends_no_event() -> None:
    recorder = shopify().on("LadingOrderFulfilments", ok("shopify/order_fulfilment_state.json"))
    await gateway(recorder).delivered(ACCESS, DeliveryNotice(ORDER_GID, "SH-1", "1Z2345"))
    assert recorder.keys == ["LadingOrderFulfilments"]
    returned = DeliveryNotice(ORDER_GID, "SH-1", "1Z2345", event="returned")
    await gateway(recorder).delivered(ACCESS, returned)
    assert len(recorder.requests) == 1


async def test_cancel_sends_order_cancel_without_refund_restock_or_notification() -> None:
    recorder = shopify().on("LadingOrderCancelled", ok("shopify/order_not_cancelled.json"))
    recorder.on("LadingCancel", ok("shopify/order_cancel.json"))
    await gateway(recorder).cancel(ACCESS, "450789469", "customer asked by phone")
    check, cancel = recorder.requests
    assert graphql_call(check)[3] == {"id": ORDER_GID}
    assert_graphql(cancel)
    kind, _, root, variables = graphql_call(cancel)
    assert (kind, root) == ("mutation", "orderCancel")
    assert variables == {
        "orderId": ORDER_GID,
        "reason": "OTHER",
        "refundMethod": {"originalPaymentMethodsRefund": False},
        "restock": False,
        "notifyCustomer": False,
        "staffNote": "Cancelled in Lading: customer asked by phone",
    }
    assert "$refundMethod: OrderCancelRefundMethodInput" in json.loads(cancel.content)["query"]


async def test_cancel_before_2025_07_uses_the_refund_flag() -> None:
    recorder = shopify().on("LadingOrderCancelled", ok("shopify/order_not_cancelled.json"))
    recorder.on("LadingCancel", ok("shopify/order_cancel.json"))
    old = StorefrontAccess("shopify", ACCESS.base_url, access_token=TOKEN, api_version="2025-01")
    await gateway(recorder).cancel(old, ORDER_GID, "x")
    cancel = recorder.requests[1]
    assert_graphql(cancel, "2025-01")
    variables = graphql_call(cancel)[3]
    assert variables["refund"] is False and "refundMethod" not in variables
    assert "refund: $refund," in json.loads(cancel.content)["query"]


async def test_cancelling_a_cancelled_order_sends_nothing_and_user_errors_refuse() -> None:
    cancelled = {"data": {"order": {"id": ORDER_GID, "cancelledAt": "2026-12-01T10:00:00Z"}}}
    recorder = shopify().on("LadingOrderCancelled", httpx.Response(200, json=cancelled))
    await gateway(recorder).cancel(ACCESS, ORDER_GID, "x")
    assert recorder.keys == ["LadingOrderCancelled"]
    refusing = shopify().on("LadingOrderCancelled", ok("shopify/order_not_cancelled.json"))
    refusing.on("LadingCancel", ok("shopify/order_cancel_user_errors.json"))
    with pytest.raises(StorefrontError) as refused:
        await gateway(refusing).cancel(ACCESS, ORDER_GID, "x")
    assert "orderId: Cannot cancel an order that has pending payments." in str(refused.value)
    assert not refused.value.retryable
