"""EasyPost as it really behaves, through the HTTP API against the fake carrier speaking its
shapes: full addresses sent for rating, a label whose code has a second (insurance) tracker,
events of other types at the webhook URL, and error bodies in the problems Lading returns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from app.adapters.carriers.easypost import easypost_signature
from app.fake_carrier.easypost import easypost_event, easypost_webhook
from app.repositories.shipments import CarrierInboxEntry
from tests.integration.test_exchange_rates import exchange_rate
from tests.integration.test_labels import (
    EASYPOST_KEYS,
    add_carrier,
    label,
    national,
    rates,
    shipment,
)
from tests.integration.test_labels import fake_hosts_allowed as fake_hosts_allowed  # fixture
from tests.integration.test_labels import fakes as fakes  # the fixture
from tests.integration.test_shipments import data as data  # the fixture
from tests.integration.test_shipments import headers
from tests.support import assert_problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "easypost"
FAKE_SECRET = b"fake-carrier-secret"


async def easypost_carrier(client, auth) -> None:
    body = national(
        "EZ", adapter_kind="easypost", endpoint="http://good.fake", credentials=EASYPOST_KEYS
    )
    await add_carrier(client, auth, body)
    await exchange_rate(client, auth, "USD", "CNY", "7.1")


async def bought(client, auth) -> dict:
    ship = await shipment(client, auth)
    await rates(client, auth, ship["id"])
    response = await label(client, auth, ship["id"], carrier="EZ", service="Priority")
    assert response.status_code == 200, response.text
    assert response.json()["label"]["status"] == "purchased"
    return dict(response.json())


async def post_webhook(client, delivery: tuple[dict[str, str], bytes]) -> httpx.Response:
    headers_, body = delivery
    return await client.post(
        "/api/v1/webhooks/carriers/EZ",
        content=body,
        headers={**headers_, "Content-Type": "application/json"},
    )


async def timeline(client, auth, shipment_id: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/v1/shipments/{shipment_id}/tracking", headers=await headers(auth)
    )
    assert response.status_code == 200, response.text
    return list(response.json()["events"])


async def test_rating_sends_the_warehouse_and_the_ship_to_with_the_customers_contact(
    client, auth, data, fakes
) -> None:
    await easypost_carrier(client, auth)
    ship = await shipment(client, auth)
    quote = (await rates(client, auth, ship["id"])).json()
    assert {r["service"] for r in quote["rates"]} == {"Priority", "GroundAdvantage"}

    (sent,) = fakes["good.fake"].state.carrier.shipments.values()
    assert sent["from_address"] == {
        "object": "Address",
        "name": "杭州仓",
        "street1": "文一西路 969 号",
        "street2": "余杭区",
        "city": "杭州市",
        "state": "浙江省",
        "zip": "311100",
        "country": "CN",
    }
    assert sent["to_address"] == {
        "object": "Address",
        "name": "王芳",
        "company": "Acme Trading",
        "street1": "张江路 88 号",
        "city": "上海市",
        "country": "CN",
        "phone": "+86 21 5080 1234",
        "email": "wang@acme.example",
    }
    # The packed box (40 × 30 × 20 cm, 2.5 kg) in inches and ounces.
    assert sent["parcel"] == {
        "object": "Parcel",
        "weight": "88.2",
        "length": "15.7",
        "width": "11.8",
        "height": "7.9",
    }


async def test_an_insured_labels_second_tracker_is_not_taken_for_the_labels_own(
    client, auth, data, fakes
) -> None:
    await easypost_carrier(client, auth)
    ship = await bought(client, auth)
    number = ship["label"]["tracking_number"]
    fake = fakes["good.fake"].state.carrier
    insurance = fake.insure(number)  # listed before the shipment's own tracker

    # The insurance tracker's update names no shipment: kept, answered 200, not applied.
    other = await post_webhook(
        client, easypost_event(fake, "tracker.updated", insurance, secret=FAKE_SECRET)
    )
    assert other.status_code == 200 and other.json() == {"status": "ignored", "events": 0}
    before = await timeline(client, auth, ship["id"])
    assert all("Pre-Shipment" not in e["description"] for e in before)
    # The label's own tracker is applied.
    fake.scan(number, "in_transit", "Departed")
    own = await post_webhook(client, easypost_webhook(fake, number, secret=FAKE_SECRET))
    assert own.status_code == 200 and own.json()["status"] == "accepted"

    # Refunding goes to the label's EasyPost shipment, not the insurance tracker's (none).
    cancelled = await client.delete(
        f"/api/v1/shipments/{ship['id']}/label", headers=await headers(auth)
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["label"]["status"] == "none"
    assert fake.labels[number].refunded


async def test_events_of_other_types_are_answered_200_and_kept_as_ignored(
    client, auth, data, fakes, sessionmaker
) -> None:
    await easypost_carrier(client, auth)
    for name in ("event_batch_created.json", "event_refund_successful.json"):
        event = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        body = json.dumps(event).encode()
        signed = {"X-Hmac-Signature": easypost_signature(FAKE_SECRET, body)}
        response = await post_webhook(client, (signed, body))
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "ignored", "events": 0}
        again = await post_webhook(client, (signed, body))
        assert again.json()["status"] == "duplicate"
        async with sessionmaker() as session:
            entry = (
                await session.scalars(
                    select(CarrierInboxEntry).where(CarrierInboxEntry.event_id == event["id"])
                )
            ).one()
        assert entry.outcome == f"ignored_event_type:{event['description']}"
    # Forged ones are still refused.
    forged = await post_webhook(client, ({"X-Hmac-Signature": "hmac-sha256-hex=00"}, body))
    assert_problem(forged, 401)


async def test_the_carriers_error_body_reaches_the_rates_and_the_cancel_problem(
    client, auth, data, fakes, app
) -> None:
    await easypost_carrier(client, auth)
    ship = await bought(client, auth)
    refused = json.loads((FIXTURES / "error_parameter_required.json").read_text("utf-8"))
    long_message = "The carrier cannot void this label: " + "x" * 400
    refused["error"]["errors"].append({"field": "refund", "message": long_message})

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json=refused)

    app.state.carrier_client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    response = await client.delete(
        f"/api/v1/shipments/{ship['id']}/label", headers=await headers(auth)
    )
    problem = assert_problem(response, 409, code="label_not_cancellable", field="carrier.refund")
    assert long_message in problem["detail"]
    assert {"field": "carrier.shipment", "message": "cannot be blank"}.items() <= next(
        e for e in problem["errors"] if e["field"] == "carrier.shipment"
    ).items()

    again = await client.delete(
        f"/api/v1/shipments/{ship['id']}/label", headers=await headers(auth)
    )
    assert again.status_code == 409  # nothing changed: the label is still there


async def test_the_sender_is_named_by_the_applications_own_settings(
    app, client, auth, data, fakes
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"company_name": "Lading Test Co.", "shipper_phone": "+86 571 8888 0000"}
    )
    await easypost_carrier(client, auth)
    ship = await shipment(client, auth)
    assert (await rates(client, auth, ship["id"])).status_code == 200
    (sent,) = fakes["good.fake"].state.carrier.shipments.values()
    assert sent["from_address"]["company"] == "Lading Test Co."
    assert sent["from_address"]["phone"] == "+86 571 8888 0000"
