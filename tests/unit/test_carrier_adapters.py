"""The HTTP carrier adapters (EasyPost, generic JSON) against httpx.MockTransport: exact
requests, answer parsing, error classification, webhook signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from app.adapters.carriers.base import CarrierError, Label, Rate, ShipmentFacts
from app.adapters.carriers.easypost import (
    STATUS_MAP,
    EasyPostGateway,
    easypost_signature,
    lading_status,
)
from app.adapters.carriers.generic_json import STATUSES, GenericJsonGateway, sign
from app.domain.products import GoodsClass

API_KEY = "EZTK_test_key"
SECRET = b"whsec-test"
NOW = datetime(2026, 11, 23, 9, 0)

SHIPMENT = ShipmentFacts(
    reference="SHP-1",
    country="US",
    region="CA",
    weight_kg=Decimal("2"),
    goods_classes=frozenset({GoodsClass.GENERAL}),
    ship_at=NOW,
)

EP_SHIPMENT = {
    "id": "shp_1",
    "object": "Shipment",
    "rates": [
        {
            "id": "rate_a",
            "carrier": "USPS",
            "service": "Priority",
            "rate": "7.58",
            "currency": "USD",
            "delivery_days": 2,
            "delivery_date": None,
        },
        {
            "id": "rate_b",
            "carrier": "UPS",
            "service": "Ground",
            "rate": "9.10",
            "currency": "USD",
            "delivery_days": None,
            "delivery_date": "2026-11-28T00:00:00Z",
        },
    ],
}
EP_BOUGHT = {
    **EP_SHIPMENT,
    "tracking_code": "9400100000000000000001",
    "selected_rate": EP_SHIPMENT["rates"][0],  # type: ignore[index]
    "postage_label": {"label_url": "https://easypost-files.example/label.png"},
}
TRACKER = {
    "id": "trk_1",
    "object": "Tracker",
    "tracking_code": "9400100000000000000001",
    "shipment_id": "shp_1",
    "status": "in_transit",
    "tracking_details": [
        {"status": "in_transit", "datetime": "2026-11-24T08:00:00Z", "message": "Departed"},
        {"status": "pre_transit", "datetime": "2026-11-23T10:00:00Z", "message": "Label"},
    ],
}


def mock(handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def easypost(handler, **kwargs) -> EasyPostGateway:
    return EasyPostGateway(
        mock(handler), API_KEY, SECRET, base_url="https://api.easypost.test", **kwargs
    )


def basic(user: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:".encode()).decode()


# --- EasyPost: requests and answers --------------------------------------------------------


async def test_easypost_quote_posts_a_shipment_in_ounces_and_inches() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=EP_SHIPMENT)

    gateway = easypost(handler, parcel_cm=(Decimal("25.4"), Decimal("10"), Decimal("5")))
    rates = await gateway.quote(SHIPMENT)
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "https://api.easypost.test/v2/shipments"
    assert request.headers["authorization"] == basic(API_KEY)
    body = json.loads(request.content)["shipment"]
    assert body["reference"] == "SHP-1"
    assert body["to_address"] == {"country": "US", "state": "CA"}
    assert body["parcel"] == {"weight": "70.5", "length": "10.0", "width": "3.9", "height": "2.0"}
    assert rates == [
        Rate(
            "USPS", "Priority", Decimal("7.58"), "USD", date(2026, 11, 25), offer_id="shp_1/rate_a"
        ),
        Rate("UPS", "Ground", Decimal("9.10"), "USD", date(2026, 11, 28), offer_id="shp_1/rate_b"),
    ]


async def test_easypost_buy_sends_the_rate_id_and_idempotency_key_and_keeps_the_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v2/shipments":
            return httpx.Response(201, json=EP_SHIPMENT)
        return httpx.Response(200, json=EP_BOUGHT)

    gateway = easypost(handler)
    (rate, _) = await gateway.quote(SHIPMENT)
    label = await gateway.buy_label(SHIPMENT, rate, "key-1")
    buy = seen[1]
    assert buy.method == "POST" and buy.url.path == "/v2/shipments/shp_1/buy"
    assert buy.headers["idempotency-key"] == "key-1"
    assert buy.headers["authorization"] == basic(API_KEY)
    assert json.loads(buy.content) == {"rate": {"id": "rate_a"}}
    assert label.tracking_number == "9400100000000000000001"
    assert (label.carrier_code, label.service, label.price) == ("USPS", "Priority", Decimal("7.58"))
    assert label.content_type == "text/uri-list"
    assert label.document == b"https://easypost-files.example/label.png"
    assert label.shipment_reference == "SHP-1"
    # Buying a stored rate (another adapter instance, no quote in memory) needs no new quote.
    assert await easypost(handler).buy_label(SHIPMENT, rate, "key-1") == label
    assert [r.url.path for r in seen] == ["/v2/shipments"] + ["/v2/shipments/shp_1/buy"] * 2


async def test_easypost_buy_refused_because_already_bought_returns_the_bought_label() -> None:
    """A retry after a lost answer: EasyPost refuses to buy the shipment twice, so the adapter
    reads the shipment back and keeps the label it already has."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/buy"):
            return httpx.Response(422, json={"error": {"message": "already purchased"}})
        return httpx.Response(200, json=EP_BOUGHT)

    rate = Rate("USPS", "Priority", Decimal("7.58"), "USD", None, offer_id="shp_1/rate_a")
    label = await easypost(handler).buy_label(SHIPMENT, rate, "key-1")
    assert label.tracking_number == "9400100000000000000001"
    assert seen == ["POST /v2/shipments/shp_1/buy", "GET /v2/shipments/shp_1"]


async def test_easypost_buy_refused_for_another_reason_stays_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/buy"):
            return httpx.Response(422, json={"error": {"message": "bad rate"}})
        return httpx.Response(200, json=EP_SHIPMENT)  # not bought: no tracking_code

    rate = Rate("USPS", "Priority", Decimal("7.58"), "USD", None, offer_id="shp_1/rate_a")
    with pytest.raises(CarrierError) as refused:
        await easypost(handler).buy_label(SHIPMENT, rate, "key-1")
    assert refused.value.status == 422 and not refused.value.retryable


async def test_easypost_buy_quotes_again_when_the_rate_was_quoted_elsewhere() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path == "/v2/shipments":
            return httpx.Response(201, json=EP_SHIPMENT)
        return httpx.Response(200, json=EP_BOUGHT)

    rate = Rate("USPS", "Priority", Decimal("7.58"), "USD", None)
    await easypost(handler).buy_label(SHIPMENT, rate, "key-2")
    assert paths == ["/v2/shipments", "/v2/shipments/shp_1/buy"]
    with pytest.raises(CarrierError) as missing:
        await easypost(handler).buy_label(SHIPMENT, Rate("DHL", "X", Decimal(1), "USD", None), "k")
    assert missing.value.status == 422 and not missing.value.retryable


async def test_easypost_cancel_finds_the_shipment_by_tracker_and_refunds() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET":
            return httpx.Response(200, json={"trackers": [TRACKER]})
        return httpx.Response(200, json={**EP_BOUGHT, "refund_status": "submitted"})

    label = Label("USPS", "9400100000000000000001", "Priority", Decimal(1), "USD", "x", b"")
    await easypost(handler).cancel_label(label)
    lookup, refund = seen
    assert lookup.url.path == "/v2/trackers"
    assert lookup.url.params["tracking_code"] == "9400100000000000000001"
    assert refund.method == "POST" and refund.url.path == "/v2/shipments/shp_1/refund"
    assert refund.headers["authorization"] == basic(API_KEY)


async def test_easypost_rejected_refund_is_a_conflict() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, json={"trackers": [TRACKER]})
        return httpx.Response(200, json={**EP_BOUGHT, "refund_status": "rejected"})

    label = Label("USPS", "9400100000000000000001", "Priority", Decimal(1), "USD", "x", b"")
    with pytest.raises(CarrierError) as rejected:
        await easypost(handler).cancel_label(label)
    assert rejected.value.status == 409


async def test_easypost_track_maps_statuses_oldest_first() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v2/trackers"
        return httpx.Response(200, json={"trackers": [TRACKER]})

    events = await easypost(handler).track("9400100000000000000001")
    assert [(e.status, e.occurred_at, e.description) for e in events] == [
        ("label_created", datetime(2026, 11, 23, 10, tzinfo=UTC), "Label"),
        ("in_transit", datetime(2026, 11, 24, 8, tzinfo=UTC), "Departed"),
    ]
    with pytest.raises(CarrierError) as unknown:
        await easypost(lambda r: httpx.Response(200, json={"trackers": []})).track("nope")
    assert unknown.value.status == 404


@pytest.mark.parametrize(
    ("easypost_status", "lading"),
    [
        ("pre_transit", "label_created"),
        ("in_transit", "in_transit"),
        ("out_for_delivery", "out_for_delivery"),
        ("delivered", "delivered"),
        ("available_for_pickup", "delivery_failed"),
        ("return_to_sender", "returned_to_sender"),
        ("failure", "delivery_failed"),
        ("cancelled", "exception"),
        ("error", "exception"),
        ("unknown", "exception"),
        ("something_new", "exception"),
    ],
)
def test_easypost_status_mapping(easypost_status: str, lading: str) -> None:
    assert lading_status(easypost_status) == lading


def test_the_status_mapping_covers_every_documented_status_onto_ladings_set() -> None:
    assert len(STATUS_MAP) == 10
    assert set(STATUS_MAP.values()) <= STATUSES


# --- EasyPost: webhooks --------------------------------------------------------------------


def ep_event() -> bytes:
    return json.dumps({"object": "Event", "id": "evt_1", "result": TRACKER}).encode()


async def test_easypost_webhook_with_a_good_signature_gives_the_events() -> None:
    body = ep_event()
    mac = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    assert easypost_signature(SECRET, body) == f"hmac-sha256-hex={mac}"
    hooked = await easypost(lambda r: httpx.Response(500)).verify_webhook(
        {"X-Hmac-Signature": f"hmac-sha256-hex={mac}"}, body
    )
    events = hooked.events
    assert hooked.event_id == "evt_1"
    assert [e.status for e in events] == ["label_created", "in_transit"]
    assert all(e.tracking_number == "9400100000000000000001" for e in events)
    assert events[0].occurred_at == datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert events[0].description == "Label"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hmac-Signature": ""},
        {"X-Hmac-Signature": "hmac-sha256-hex=" + "0" * 64},
        {"X-Hmac-Signature": easypost_signature(b"another-secret", ep_event())},
        {"X-Hmac-Signature": hmac.new(SECRET, ep_event(), hashlib.sha256).hexdigest()},
    ],
)
async def test_easypost_webhook_missing_or_forged_signature_is_401(headers) -> None:
    with pytest.raises(CarrierError) as refused:
        await easypost(lambda r: httpx.Response(500)).verify_webhook(headers, ep_event())
    assert refused.value.status == 401 and not refused.value.retryable


async def test_easypost_webhook_tampered_body_is_401_and_signed_garbage_is_502() -> None:
    gateway = easypost(lambda r: httpx.Response(500))
    headers = {"x-hmac-signature": easypost_signature(SECRET, ep_event())}
    with pytest.raises(CarrierError) as tampered:
        await gateway.verify_webhook(headers, ep_event().replace(b"evt_1", b"evt_2"))
    assert tampered.value.status == 401
    garbage = b'{"object": "Event"}'
    with pytest.raises(CarrierError) as malformed:
        await gateway.verify_webhook(
            {"X-Hmac-Signature": easypost_signature(SECRET, garbage)}, garbage
        )
    assert malformed.value.status == 502


# --- Error classification (both adapters) --------------------------------------------------


def generic(handler, **kwargs) -> GenericJsonGateway:
    return GenericJsonGateway(
        mock(handler),
        "https://carrier.test/api",
        api_key="gk-1",
        webhook_secret=SECRET,
        carrier_code="regional",
        **kwargs,
    )


def raises(exc: Exception):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


@pytest.mark.parametrize("make", [easypost, generic])
@pytest.mark.parametrize(
    ("handler", "status", "retryable"),
    [
        (raises(httpx.ReadTimeout("slow")), None, True),
        (raises(httpx.ConnectError("refused")), None, True),
        (lambda r: httpx.Response(503), 503, True),
        (lambda r: httpx.Response(500, text="boom"), 500, True),
        (lambda r: httpx.Response(422, json={"error": "bad"}), 422, False),
        (lambda r: httpx.Response(401), 401, False),
        (lambda r: httpx.Response(200, content=b'{"rates": ['), 502, False),
        (lambda r: httpx.Response(200, json={"id": "shp_1"}), 502, False),
        (lambda r: httpx.Response(200, json={"id": "s", "rates": [{"id": "r"}]}), 502, False),
        (
            lambda r: httpx.Response(200, json={"rates": [{"service": "x", "price": "n/a"}]}),
            502,
            False,
        ),
    ],
)
async def test_errors_are_classified(make, handler, status, retryable) -> None:
    with pytest.raises(CarrierError) as failed:
        await make(handler).quote(SHIPMENT)
    assert failed.value.status == status
    assert failed.value.retryable is retryable


# --- Generic JSON --------------------------------------------------------------------------

GENERIC_LABEL = {
    "tracking_number": "GJ-1",
    "service": "express",
    "price": "15.00",
    "currency": "CNY",
    "label": {"content_type": "application/pdf", "data_base64": base64.b64encode(b"%PDF").decode()},
}


async def test_generic_quote_posts_the_facts_with_a_bearer_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        rate = {"service": "express", "price": "15.00", "currency": "CNY",
                "promised_date": "2026-11-25", "zone": "east"}  # fmt: skip
        return httpx.Response(200, json={"rates": [rate]})

    rates = await generic(handler).quote(SHIPMENT)
    (request,) = seen
    assert request.method == "POST" and str(request.url) == "https://carrier.test/api/quotes"
    assert request.headers["authorization"] == "Bearer gk-1"
    assert json.loads(request.content) == {
        "reference": "SHP-1",
        "destination": {"country": "US", "region": "CA"},
        "weight_kg": "2",
        "goods_classes": ["general"],
        "ship_at": "2026-11-23T09:00:00",
        "deliver_by": None,
    }
    assert rates == [
        Rate("regional", "express", Decimal("15.00"), "CNY", date(2026, 11, 25), "east")
    ]


async def test_generic_buy_cancel_and_track() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST":
            return httpx.Response(201, json=GENERIC_LABEL)
        if request.method == "DELETE":
            return httpx.Response(204)
        events = [
            {"id": "2", "status": "picked_up", "occurred_at": "2026-11-24T08:00:00+08:00"},
            {"id": "1", "status": "label_created", "occurred_at": "2026-11-23T08:00:00Z"},
        ]
        return httpx.Response(200, json={"tracking_number": "GJ-1", "events": events})

    gateway = generic(handler)
    rate = Rate("regional", "express", Decimal("15.00"), "CNY", None)
    label = await gateway.buy_label(SHIPMENT, rate, "key-9")
    buy = seen[0]
    assert buy.url.path == "/api/labels" and buy.headers["idempotency-key"] == "key-9"
    assert buy.headers["authorization"] == "Bearer gk-1"
    sent = json.loads(buy.content)
    assert (sent["service"], sent["price"], sent["currency"]) == ("express", "15.00", "CNY")
    assert label == Label(
        "regional", "GJ-1", "express", Decimal("15.00"), "CNY", "application/pdf", b"%PDF", "SHP-1"
    )
    await gateway.cancel_label(label)
    assert seen[1].method == "DELETE" and seen[1].url.path == "/api/labels/GJ-1"
    events = await gateway.track("GJ-1")
    assert seen[2].method == "GET" and seen[2].url.path == "/api/tracking/GJ-1"
    assert [e.status for e in events] == ["label_created", "picked_up"]


async def test_generic_unknown_tracking_status_is_malformed() -> None:
    body = {"tracking_number": "GJ-1", "events": [
        {"id": "1", "status": "teleported", "occurred_at": "2026-11-23T08:00:00Z"}
    ]}  # fmt: skip
    with pytest.raises(CarrierError) as failed:
        await generic(lambda r: httpx.Response(200, json=body)).track("GJ-1")
    assert failed.value.status == 502 and not failed.value.retryable


WEBHOOK = json.dumps(
    {
        "id": "whk_1",
        "tracking_number": "GJ-1",
        "events": [{"id": "1", "status": "delivered", "occurred_at": "2026-11-23T08:00:00Z"}],
    }
).encode()
SIGNED_AT = 1_800_000_000


def at(moment: float):
    return lambda: moment


async def test_generic_webhook_signed_in_time_gives_the_events() -> None:
    gateway = generic(lambda r: httpx.Response(500), clock=at(SIGNED_AT + 299))
    headers = {"X-Signature": sign(SECRET, str(SIGNED_AT), WEBHOOK)}
    hooked = await gateway.verify_webhook(headers, WEBHOOK)
    (event,) = hooked.events
    assert hooked.event_id == "whk_1"
    assert (event.tracking_number, event.status) == ("GJ-1", "delivered")


@pytest.mark.parametrize(
    ("headers", "now"),
    [
        ({}, SIGNED_AT),
        ({"X-Signature": "garbage"}, SIGNED_AT),
        ({"X-Signature": f"t={SIGNED_AT},v1={'0' * 64}"}, SIGNED_AT),
        ({"X-Signature": sign(b"wrong", str(SIGNED_AT), WEBHOOK)}, SIGNED_AT),
        ({"X-Signature": sign(SECRET, str(SIGNED_AT), WEBHOOK)}, SIGNED_AT + 301),
        ({"X-Signature": sign(SECRET, str(SIGNED_AT), WEBHOOK)}, SIGNED_AT - 301),
    ],
    ids=["missing", "malformed", "forged", "wrong-secret", "replayed", "future"],
)
async def test_generic_webhook_refusals(headers, now) -> None:
    gateway = generic(lambda r: httpx.Response(500), clock=at(now))
    with pytest.raises(CarrierError) as refused:
        await gateway.verify_webhook(headers, WEBHOOK)
    assert refused.value.status == 401 and not refused.value.retryable


async def test_generic_webhook_with_a_signature_moved_to_another_time_is_refused() -> None:
    mac = sign(SECRET, str(SIGNED_AT), WEBHOOK).split("v1=")[1]
    gateway = generic(lambda r: httpx.Response(500), clock=at(SIGNED_AT + 10))
    with pytest.raises(CarrierError) as refused:
        await gateway.verify_webhook({"X-Signature": f"t={SIGNED_AT + 10},v1={mac}"}, WEBHOOK)
    assert refused.value.status == 401
