"""How returned goods come back, through HTTP on both engines: return labels bought from the
fake carrier (generic and EasyPost faces), the return's tracking from signed webhooks, and
own-fleet pickups."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from app.adapters.carriers.generic_json import sign
from app.fake_carrier.easypost import easypost_webhook
from app.fake_carrier.generic import generic_webhook
from app.repositories.events import OutboxEvent
from tests.integration.after_sales.support import RETURNS, data, decide, delivered, request_return
from tests.integration.test_carriers import carrier_body
from tests.integration.test_labels import (
    EASYPOST_KEYS,
    Hosts,
    LoseFirstLabelAnswer,
    add_carrier,
    fake_hosts_allowed,
    fakes,
    generic,
    national,
    purchases,
)
from tests.support import assert_problem

__all__ = ["data", "fake_hosts_allowed", "fakes"]

WEBHOOK = "/api/v1/webhooks/carriers"


async def approved(client, auth, method: str = "carrier_label") -> dict:
    order, _ = await delivered(client, auth, {"S-1": "3"})
    ret = await request_return(client, auth, order, {"S-1": "1"}, method=method)
    assert ret["status"] == "approved"
    return ret


async def buy(client, auth, ret: dict, **body) -> httpx.Response:
    headers = await auth.as_role("sales")
    return await client.post(f"{RETURNS}/{ret['id']}/label", headers=headers, json=body)


async def topics(sessionmaker, ret: dict) -> list[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxEvent.event_type)
            .where(OutboxEvent.aggregate_id == ret["id"])
            .order_by(OutboxEvent.created_at)
        )
        return list(rows.all())


async def test_a_return_label_is_bought_from_the_generic_protocol(
    client, auth, data, fakes, sessionmaker
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ret = await approved(client, auth)
    missing = await client.get(f"{RETURNS}/{ret['id']}/label", headers=await auth.as_role("viewer"))
    assert_problem(missing, 404)

    response = await buy(client, auth, ret, carrier="GOOD", service="economy")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["label_status"] == "purchased" and body["carrier"] == "GOOD"
    assert body["carrier_service"] == "economy" and body["label_currency"] == "CNY"
    assert body["tracking_number"].startswith("GJ") and body["label_price"]
    assert body["tracking_status"] == "label_created"
    carrier = fakes["good.fake"].state.carrier
    assert carrier.labels[body["tracking_number"]].is_return is True

    document = await client.get(body["label_url"], headers=await auth.as_role("viewer"))
    assert document.status_code == 200 and document.content.startswith(b"FAKE RETURN LABEL")
    again = await buy(client, auth, ret)  # once bought, buying again changes nothing
    assert again.json()["tracking_number"] == body["tracking_number"]
    assert purchases(fakes["good.fake"]) == 1
    shown = await client.get(f"{RETURNS}/{ret['id']}", headers=await auth.as_role("viewer"))
    assert shown.json()["tracking_number"] == body["tracking_number"]
    assert shown.json()["status"] == "approved"
    written = await topics(sessionmaker, ret)
    assert written[-1] == "return.label_purchased" and written.count(written[-1]) == 1


async def test_a_return_label_is_bought_from_easypost_with_is_return(
    client, auth, data, fakes
) -> None:
    body = national("EZ", adapter_kind="easypost", endpoint="http://good.fake")
    await add_carrier(client, auth, {**body, "credentials": EASYPOST_KEYS})
    ret = await approved(client, auth)
    response = await buy(client, auth, ret, carrier="EZ", service="GroundAdvantage")
    assert response.status_code == 200, response.text
    bought = response.json()
    assert bought["carrier_service"] == "GroundAdvantage" and bought["label_currency"] == "USD"
    carrier = fakes["good.fake"].state.carrier
    label = carrier.labels[bought["tracking_number"]]
    assert label.is_return is True
    shipment = carrier.shipments[label.shipment_id]
    # EasyPost swapped the original shipment's addresses: the customer sends to the warehouse.
    assert shipment["is_return"] is True
    assert shipment["to_address"]["city"] == "杭州市"
    assert shipment["from_address"]["city"] == "上海市"
    document = await client.get(bought["label_url"], headers=await auth.as_role("viewer"))
    assert document.status_code == 307 and document.headers["location"].endswith(".png")

    carrier.scan(bought["tracking_number"], "in_transit", "Accepted at the post office")
    hook_headers, raw = easypost_webhook(carrier, bought["tracking_number"])
    hooked = await client.post(f"{WEBHOOK}/EZ", headers=hook_headers, content=raw)
    assert hooked.status_code == 200 and hooked.json()["status"] == "accepted", hooked.text
    shown = await client.get(f"{RETURNS}/{ret['id']}", headers=await auth.as_role("viewer"))
    assert shown.json()["tracking_status"] == "in_transit"


async def test_a_return_label_is_refused_unless_approved_by_label_and_a_label_carrier(
    client, auth, data, fakes
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    await add_carrier(client, auth, carrier_body("VAN"))
    drop_off = await approved(client, auth, method="drop_off")
    assert_problem(
        await buy(client, auth, drop_off, carrier="GOOD"),
        409,
        code="wrong_return_method",
        field="method",
    )
    ret = await approved(client, auth)
    assert_problem(await buy(client, auth, ret, carrier="VAN"), 422, field="carrier")
    assert_problem(await buy(client, auth, ret), 422, field="carrier")  # own fleet shipped it
    assert_problem(await buy(client, auth, ret, carrier="NOPE"), 422, field="carrier")
    unknown = await buy(client, auth, ret, carrier="GOOD", service="teleport")
    assert_problem(unknown, 422, field="service")
    headers = await auth.as_role("admin")
    current = await client.get("/api/v1/settings/review", headers=headers)
    await client.put(
        "/api/v1/settings/review",
        headers={**headers, "If-Match": current.headers["ETag"]},
        json={"return_auto_approve_max": "5"},
    )
    order, _ = await delivered(client, auth, {"S-1": "3"})
    requested = await request_return(client, auth, order, {"S-1": "1"}, method="carrier_label")
    refused = await buy(client, auth, requested, carrier="GOOD")
    assert_problem(refused, 409, code="return_not_approved", field="status")
    shown = await client.get(f"{RETURNS}/{ret['id']}", headers=await auth.as_role("viewer"))
    assert shown.json()["label_status"] is None and shown.json()["carrier_id"] is None
    await decide(client, auth, requested)
    assert (await buy(client, auth, requested, carrier="GOOD")).status_code == 200


async def test_a_carrier_failure_leaves_the_return_consistent(
    client, auth, data, fakes, app
) -> None:
    await generic(client, auth, "DOWN", "down.fake")
    await generic(client, auth, "GOOD", "good.fake")
    ret = await approved(client, auth)
    down = await buy(client, auth, ret, carrier="DOWN")
    assert_problem(down, 503, code="carrier_unavailable")
    shown = await client.get(f"{RETURNS}/{ret['id']}", headers=await auth.as_role("viewer"))
    assert shown.json()["label_status"] is None and shown.json()["tracking_number"] is None

    lossy = LoseFirstLabelAnswer(Hosts({"good.fake": fakes["good.fake"]}))
    app.state.carrier_client = httpx.AsyncClient(transport=lossy)
    lost = await buy(client, auth, ret, carrier="GOOD", service="express")
    assert_problem(lost, 503, code="carrier_unavailable")
    shown = await client.get(f"{RETURNS}/{ret['id']}", headers=await auth.as_role("viewer"))
    assert shown.json()["label_status"] == "pending" and shown.json()["tracking_number"] is None
    other = await buy(client, auth, ret, carrier="GOOD", service="economy")
    assert_problem(other, 409, code="label_pending")
    again = await buy(client, auth, ret)  # calling again retries the pending purchase
    assert again.status_code == 200, again.text
    assert again.json()["carrier_service"] == "express"
    assert lossy.keys[0] == lossy.keys[1] and purchases(fakes["good.fake"]) == 1


def _signed(fake, number: str, events: list[tuple[str, datetime]]) -> tuple[dict, bytes]:
    payload = {
        "id": f"whk_{number}_{len(events)}_{events[-1][1].timestamp()}",
        "tracking_number": number,
        "events": [
            {"id": f"{number}-{i}", "status": s, "occurred_at": at.isoformat(), "description": ""}
            for i, (s, at) in enumerate(events)
        ],
    }
    raw = json.dumps(payload).encode()
    t = str(int(datetime.now(UTC).timestamp()))
    return {"X-Signature": sign(fake.switches.webhook_secret, t, raw)}, raw


async def test_the_return_is_tracked_by_the_carriers_webhooks(
    client, auth, data, fakes, sessionmaker
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    ret = await approved(client, auth)
    number = (await buy(client, auth, ret, carrier="GOOD")).json()["tracking_number"]
    carrier = fakes["good.fake"].state.carrier
    carrier.scan(number, "in_transit", "On its way back")
    hook_headers, raw = generic_webhook(carrier, number)
    hooked = await client.post(f"{WEBHOOK}/GOOD", headers=hook_headers, content=raw)
    assert hooked.status_code == 200 and hooked.json()["status"] == "accepted", hooked.text
    repeat = await client.post(f"{WEBHOOK}/GOOD", headers=hook_headers, content=raw)
    assert repeat.json()["status"] == "duplicate"
    viewer = await auth.as_role("viewer")
    shown = (await client.get(f"{RETURNS}/{ret['id']}", headers=viewer)).json()
    assert shown["tracking_status"] == "in_transit"

    older = datetime.now(UTC) - timedelta(days=1)
    late_headers, late = _signed(carrier, number, [("picked_up", older)])
    hooked = await client.post(f"{WEBHOOK}/GOOD", headers=late_headers, content=late)
    assert hooked.json()["status"] == "accepted"
    shown = (await client.get(f"{RETURNS}/{ret['id']}", headers=viewer)).json()
    assert shown["tracking_status"] == "in_transit"  # an older event never moves it back

    at_warehouse = datetime.now(UTC) + timedelta(minutes=1)
    done_headers, done = _signed(carrier, number, [("delivered", at_warehouse)])
    await client.post(f"{WEBHOOK}/GOOD", headers=done_headers, content=done)
    shown = (await client.get(f"{RETURNS}/{ret['id']}", headers=viewer)).json()
    assert shown["tracking_status"] == "delivered"
    assert shown["status"] == "approved"  # the warehouse receives it on inspection
    assert (await topics(sessionmaker, ret)).count("return.tracking_updated") == 2


async def test_a_pickup_is_scheduled_for_an_approved_pickup_return(
    client, auth, data, sessionmaker
) -> None:
    ret = await approved(client, auth, method="pickup")
    headers = await auth.as_role("sales")
    url = f"{RETURNS}/{ret['id']}/pickup"
    today = datetime.now(UTC).date()
    past = await client.post(url, headers=headers, json={"date": str(today - timedelta(days=1))})
    assert_problem(past, 422, field="date")
    bad = {"date": str(today), "window": "12:00-09:00"}
    assert_problem(await client.post(url, headers=headers, json=bad), 422, field="window")
    assert_problem(await client.post(url, headers=headers, json={}), 422, field="date")
    body = {"date": str(today + timedelta(days=2)), "window": "09:00-12:00", "note": "门卫"}
    scheduled = await client.post(url, headers=headers, json=body)
    assert scheduled.status_code == 200, scheduled.text
    assert scheduled.json()["pickup_on"] == body["date"]
    assert scheduled.json()["pickup_window"] == "09:00-12:00"
    assert (await topics(sessionmaker, ret))[-1] == "return.pickup_scheduled"

    label = await approved(client, auth)
    wrong = await client.post(
        f"{RETURNS}/{label['id']}/pickup", headers=headers, json={"date": str(today)}
    )
    assert_problem(wrong, 409, code="wrong_return_method")
    viewer = await client.post(url, headers=await auth.as_role("viewer"), json=body)
    assert viewer.status_code == 403
