"""The EasyPost adapter against EasyPost's own recorded answers (tests/fixtures/easypost, see
its README for the sources): full addresses and the parcel sent, the label keeping its
EasyPost shipment, the right tracker among several of one code, events of other types
ignored, and error bodies parsed whole."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.adapters.carriers.base import (
    CarrierError,
    CarrierErrorDetail,
    Label,
    Parcel,
    PostalAddress,
    Rate,
    ShipmentFacts,
)
from app.adapters.carriers.easypost import EasyPostGateway, easypost_signature
from app.domain.products import GoodsClass

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "easypost"
SECRET = b"whsec-test"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


SENDER = PostalAddress(
    name="杭州仓",
    company="Lading Demo Co.",
    street1="文一西路 969 号",
    street2="余杭区",
    city="杭州市",
    state="浙江省",
    zip="311100",
    country="CN",
    phone="+86 571 8888 0000",
)
RECEIVER = PostalAddress(
    name="王芳",
    company="Acme Trading",
    street1="张江路 88 号",
    city="上海市",
    state="上海市",
    country="CN",
    phone="+86 21 5080 1234",
    email="wang@acme.example",
)
FACTS = ShipmentFacts(
    reference="SH-2026-000001",
    country="CN",
    region="上海市",
    weight_kg=Decimal("2.5"),
    goods_classes=frozenset({GoodsClass.GENERAL}),
    ship_at=datetime(2026, 12, 1, 9, 0),
    origin=SENDER,
    destination=RECEIVER,
    parcel=Parcel(Decimal("2.5"), Decimal("40"), Decimal("30"), Decimal("20")),
)
TRACKERS = recorded("trackers_one_code.json")
INSURED, OWN = TRACKERS["trackers"]


def gateway(handler) -> EasyPostGateway:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return EasyPostGateway(client, "EZTK", SECRET, base_url="https://api.easypost.test")


def label(shipment_id: str | None) -> Label:
    return Label(
        "USPS", OWN["tracking_code"], "Priority", Decimal(1), "USD", "x", b"", "SH-1", shipment_id
    )


# --- 15: full addresses and the parcel -----------------------------------------------------


async def test_the_shipment_carries_both_full_addresses_and_the_parcel() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=recorded("shipment_create.json"))

    rates = await gateway(handler).quote(FACTS)
    body = json.loads(seen[0].content)["shipment"]
    assert body["from_address"] == {
        "name": "杭州仓",
        "company": "Lading Demo Co.",
        "street1": "文一西路 969 号",
        "street2": "余杭区",
        "city": "杭州市",
        "state": "浙江省",
        "zip": "311100",
        "country": "CN",
        "phone": "+86 571 8888 0000",
    }
    assert body["to_address"] == {
        "name": "王芳",
        "company": "Acme Trading",
        "street1": "张江路 88 号",
        "city": "上海市",
        "state": "上海市",
        "country": "CN",
        "phone": "+86 21 5080 1234",
        "email": "wang@acme.example",
    }
    # Ounces and inches, as EasyPost wants them.
    assert body["parcel"] == {"weight": "88.2", "length": "15.7", "width": "11.8", "height": "7.9"}
    shipment_id = recorded("shipment_create.json")["id"]
    assert [(r.service, r.price, r.currency) for r in rates] == [
        ("Express", Decimal("34.15"), "USD"),
        ("Priority", Decimal("7.42"), "USD"),
        ("GroundAdvantage", Decimal("6.07"), "USD"),
    ]
    assert all(r.offer_id and r.offer_id.startswith(shipment_id + "/") for r in rates)


# --- 16: the label's shipment and its tracker ----------------------------------------------


async def test_a_bought_label_keeps_its_easypost_shipment_id() -> None:
    bought = recorded("shipment_buy.json")
    rate = Rate("USPS", "GroundAdvantage", Decimal("6.07"), "USD", None, None, "shp_x/rate_y")
    made = await gateway(lambda r: httpx.Response(200, json=bought)).buy_label(FACTS, rate, "k")
    assert made.carrier_shipment_id == bought["id"]
    assert made.tracking_number == bought["tracking_code"]


async def test_tracking_picks_the_tracker_of_the_labels_shipment() -> None:
    ep = gateway(lambda r: httpx.Response(200, json=TRACKERS))
    events = await ep.track(OWN["tracking_code"], OWN["shipment_id"])
    assert [e.occurred_at.year for e in events] == [2025, 2025]  # not the insurance's 2024 ones
    assert {e.carrier_shipment_id for e in events} == {OWN["shipment_id"]}
    # A label bought before the id was kept: the tracker that belongs to a shipment.
    assert await ep.track(OWN["tracking_code"]) == events
    with pytest.raises(CarrierError) as other:
        await ep.track(OWN["tracking_code"], "shp_someone_else")
    assert other.value.status == 404


async def test_a_refund_goes_to_the_labels_shipment_whatever_the_trackers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET":
            return httpx.Response(200, json=TRACKERS)
        return httpx.Response(
            200, json={**recorded("shipment_buy.json"), "refund_status": "submitted"}
        )

    await gateway(handler).cancel_label(label(OWN["shipment_id"]))
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", f"/v2/shipments/{OWN['shipment_id']}/refund")
    ]
    seen.clear()
    # Without the id (an older label) the insurance's tracker, listed first, is passed over.
    await gateway(handler).cancel_label(label(None))
    assert seen[-1].url.path == f"/v2/shipments/{OWN['shipment_id']}/refund"


# --- 17: events of other types --------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["event_batch_created.json", "event_refund_successful.json"])
async def test_events_that_are_not_about_tracking_are_recognised(fixture: str) -> None:
    body = json.dumps(recorded(fixture)).encode()
    headers = {"X-Hmac-Signature": easypost_signature(SECRET, body)}
    hooked = await gateway(lambda r: httpx.Response(500)).verify_webhook(headers, body)
    assert hooked.tracking is False and hooked.events == []
    assert hooked.event_id == recorded(fixture)["id"]
    assert hooked.topic == recorded(fixture)["description"]


async def test_a_recorded_tracker_updated_event_gives_its_events() -> None:
    body = json.dumps(recorded("event_tracker_updated.json")).encode()
    headers = {"X-Hmac-Signature": easypost_signature(SECRET, body)}
    hooked = await gateway(lambda r: httpx.Response(500)).verify_webhook(headers, body)
    assert hooked.tracking and hooked.topic == "tracker.updated"
    assert [e.status for e in hooked.events] == ["label_created", "in_transit"]
    assert {e.carrier_shipment_id for e in hooked.events} == {""}  # a tracker of no shipment


# --- 18: error bodies ------------------------------------------------------------------------


async def test_an_error_body_is_parsed_into_code_message_and_items() -> None:
    answer = recorded("error_parameter_required.json")
    with pytest.raises(CarrierError) as failed:
        await gateway(lambda r: httpx.Response(422, json=answer)).quote(FACTS)
    error = failed.value
    assert error.status == 422 and not error.retryable
    assert error.code == "PARAMETER.REQUIRED"
    assert error.details == (CarrierErrorDetail("cannot be blank", "shipment"),)
    assert str(error).endswith(
        "answered 422: PARAMETER.REQUIRED: Missing required parameter. (shipment: cannot be blank)"
    )


async def test_error_items_may_be_plain_strings_and_are_never_cut() -> None:
    answer = recorded("error_not_found.json")
    long = "x" * 600
    answer["error"]["errors"].append(long)
    with pytest.raises(CarrierError) as failed:
        await gateway(lambda r: httpx.Response(404, json=answer)).quote(FACTS)
    assert failed.value.code == "NOT_FOUND"
    assert [d.message for d in failed.value.details] == [
        "No eligible insurance found with provided tracking code.",
        long,
    ]
    assert long in str(failed.value)


async def test_a_5xx_error_body_is_parsed_too_and_stays_retryable() -> None:
    answer = {"error": {"code": "INTERNAL_SERVER_ERROR", "message": "Try again.", "errors": []}}
    with pytest.raises(CarrierError) as failed:
        await gateway(lambda r: httpx.Response(500, json=answer)).quote(FACTS)
    assert failed.value.retryable and failed.value.code == "INTERNAL_SERVER_ERROR"
    assert "Try again." in str(failed.value)
