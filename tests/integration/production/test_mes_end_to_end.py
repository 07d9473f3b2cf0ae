"""Make-to-order end to end through HTTP, on both engines: a paid storefront order of a
make_to_order product becomes a production request; Lading's worker delivers its release to
the fake MES (a webhook endpoint taking ``production.released``); the fake reports start,
progress and completion to Lading's signed webhook; the goods are allocated to the order,
which ships; a replayed report is a duplicate and a forged one is refused, changing nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.domain.webhooks import new_secret
from app.fake_mes.server import create_app as create_fake_mes
from app.fake_mes.state import FakeMesSettings
from app.worker import schedule
from app.worker.routing import route_once
from app.worker.webhooks import deliver_once
from tests.integration.after_sales.support import fulfil, on_hand
from tests.integration.production.support import (
    MO,
    WEBHOOK,
    data,
    made,
    requests_of,
    signed_report,
    with_mes_secret,
)
from tests.integration.test_shipments import SHANGHAI
from tests.support import assert_problem

__all__ = ["data", "made"]
MES_URL = "http://127.0.0.1:8095/lading/events"  # reached in-process: the host is not dialled
SIGNED = ("webhook-id", "webhook-timestamp", "webhook-signature", "content-type")


async def _storefront_order(client, auth, quantity: str, amount: str) -> dict:
    """A storefront order of M-1 paid in full through an API key (nothing on hand)."""
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    ref = f"SHOP-{uuid.uuid4().hex[:8]}"
    body = {
        "channel": "storefront",
        "external_ref": ref,
        "customer": {"code": "ACME"},
        "ship_to": SHANGHAI,
        "lines": [{"sku": "M-1", "quantity": quantity}],
        "submit": True,
        "payment": {"status": "paid", "reference": f"GW-{ref}", "amount": amount},
    }
    response = await client.post(
        "/api/v1/orders", json=body, headers={**key, "Idempotency-Key": ref}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _mes_endpoint(client, auth) -> str:
    """The fake MES registered as a webhook endpoint taking releases; its secret."""
    created = await client.post(
        "/api/v1/webhook-endpoints",
        headers=await auth.as_role("admin"),
        json={"url": MES_URL, "event_types": ["production.released"]},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["secret"])


async def _route_and_deliver(app, fake) -> None:
    """The worker's route, then its sender, until nothing is due; deliveries reach ``fake``."""
    sessionmaker, settings = app.state.sessionmaker, app.state.settings
    while await route_once(sessionmaker, settings, schedule.ROUTES):
        pass
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake)) as http:
        while await deliver_once(sessionmaker, http, settings):
            pass


async def _request(client, auth, request: dict) -> dict:
    response = await client.get(f"{MO}/{request['id']}", headers=await auth.as_role("viewer"))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _fulfillment(client, auth, order: dict) -> str:
    response = await client.get(
        f"/api/v1/orders/{order['id']}", headers=await auth.as_role("sales")
    )
    return str(response.json()["fulfillment_status"])


async def test_a_storefront_order_is_made_by_the_mes_and_ships(
    app, client, auth, made, sessionmaker
) -> None:
    report_secret = with_mes_secret(app)
    order = await _storefront_order(client, auth, "3", "30.00")
    assert order["status"] == "approved" and order["fulfillment_status"] == "unfulfilled"
    [request] = await requests_of(client, auth, order_id=order["id"])
    assert (request["sku"], request["quantity"], request["source"]) == ("M-1", "3", "shortage")
    assert [(x["order_line_id"], x["quantity"]) for x in request["links"]] == [
        (order["lines"][0]["id"], "3")
    ]

    endpoint_secret = await _mes_endpoint(client, auth)
    sent: list[httpx.Request] = []

    async def keep(outgoing: httpx.Request) -> None:
        sent.append(outgoing)

    to_lading = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
        base_url="http://lading",
        event_hooks={"request": [keep]},
    )
    fake = create_fake_mes(
        FakeMesSettings(
            lading_url="http://lading",
            report_secret=report_secret,
            endpoint_secret=endpoint_secret,
            client=to_lading,
        )
    )
    released = await client.post(
        f"{MO}/{request['id']}/release", headers=await auth.as_role("warehouse")
    )
    assert released.status_code == 200, released.text
    await _route_and_deliver(app, fake)
    assert len(fake.state.mes.deliveries) == 1  # only the release: the filter took no other

    async with (
        to_lading,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=fake), base_url="http://mes") as mes,
    ):
        [held] = (await mes.get("/requests")).json()["items"]
        assert (held["number"], held["sku"], held["quantity"]) == (request["number"], "M-1", "3")
        assert held["orders"] == [{"order_number": order["number"], "line_no": 1, "quantity": "3"}]
        url = f"/control/{request['number']}"

        started = await mes.post(f"{url}/start")
        assert started.status_code == 200 and started.json()["status"] == "accepted", started.text
        assert (await _request(client, auth, request))["status"] == "in_progress"
        later = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
        progressed = await mes.post(f"{url}/progress", json={"expected_finish_date": later})
        assert progressed.status_code == 200, progressed.text
        assert (await _request(client, auth, request))["expected_date"] == later
        part = await mes.post(f"{url}/complete", json={"completed_quantity": "1"})
        assert part.status_code == 200, part.text
        first = sent[-1]
        before = await _request(client, auth, request)
        assert (before["status"], before["quantity_completed"]) == ("partly_completed", "1")
        assert await on_hand(client, auth, "M-1") == ("1", "1")  # allocated to the order

        await _replayed_and_forged_change_nothing(client, request, first)
        assert await _request(client, auth, request) == before
        assert await on_hand(client, auth, "M-1") == ("1", "1")

        done = await mes.post(f"{url}/complete", json={"completed_quantity": "2"})
        assert done.status_code == 200, done.text
        [held] = (await mes.get("/requests")).json()["items"]
        assert held["mes"] == {
            "status": "completed",
            "completed_quantity": "3",
            "scrapped_quantity": "0",
        }
    finished = await _request(client, auth, request)
    assert (finished["status"], finished["quantity_completed"]) == ("completed", "3")
    assert await _fulfillment(client, auth, order) == "reserved"
    assert await on_hand(client, auth, "M-1") == ("3", "3")
    shipment = await fulfil(client, auth, order["id"], {"M-1": "3"})
    assert shipment["status"] == "delivered"
    check = await client.get("/api/v1/admin/check", headers=await auth.as_role("admin"))
    assert check.status_code == 200 and check.json()["ok"] is True, check.text


async def _replayed_and_forged_change_nothing(client, request: dict, first: httpx.Request) -> None:
    """The same report again (its ``webhook-id`` repeated) is a duplicate; a report signed
    with another secret, or a signed report whose body was altered, is 401."""
    headers = {name: first.headers[name] for name in SIGNED}
    replayed = await client.post(WEBHOOK, content=first.content, headers=headers)
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["status"] == "duplicate"
    document: dict[str, Any] = {
        "type": "completed",
        "request": request["number"],
        "completed_quantity": "2",
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    forged = await signed_report(client, new_secret(), document)
    assert_problem(forged, 401, code="bad_signature")
    altered = first.content.replace(b'"completed_quantity":"1"', b'"completed_quantity":"2"')
    assert altered != first.content
    tampered = await client.post(WEBHOOK, content=altered, headers=headers)
    assert_problem(tampered, 401, code="bad_signature")
