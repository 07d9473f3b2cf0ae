"""One order end to end through the HTTP API, on SQLite and PostgreSQL, against the fake carrier
served over real HTTP on a loopback port: intake (storefront push), review, allocation, pick,
pack, rates, label, verify, confirm, tracking webhooks (one late and out of order), delivered —
then the shipment's timeline, the public tracking page and the order's final state."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from app.fake_carrier.generic import generic_webhook
from app.fake_carrier.server import create_app
from app.fake_carrier.state import Switches
from app.repositories.events import OutboxEvent
from app.repositories.shipments import Shipment
from tests.factories import make_customer, make_product, make_warehouse
from tests.integration.test_carriers import carrier_body

SECRET = "e2e-webhook-secret"
BEIJING = {"country": "CN", "region": "北京市", "city": "北京市", "street": "建国路 1 号"}


@pytest.fixture(scope="module")
def carrier_server() -> Iterator[tuple[str, Any]]:
    """The fake carrier on 127.0.0.1:<free port>, served by uvicorn in a thread."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    fake = create_app(Switches(webhook_secret=SECRET.encode(), seed=7))
    server = uvicorn.Server(
        uvicorn.Config(fake, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the fake carrier did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", fake.state.carrier
    finally:
        server.should_exit = True
        thread.join(timeout=10)


async def test_an_order_from_intake_to_delivered(
    client, auth, sessionmaker, app, carrier_server
) -> None:
    base_url, carrier = carrier_server
    app.state.carrier_client = httpx.AsyncClient()  # real HTTP to the fake carrier
    order, shipment = await packed_shipment(
        client, auth, sessionmaker, tag="E2E", carrier_code="REGIONAL", base_url=base_url
    )
    wh = await auth.as_role("warehouse")
    url = f"/api/v1/shipments/{shipment['id']}"

    # Rates and the label, from the fake carrier over HTTP.
    sold_before = carrier.purchases
    rates = await client.post(f"{url}/rates", headers=wh, json={"preference": "cheapest"})
    assert rates.status_code == 200, rates.text
    assert [r["service"] for r in rates.json()["rates"] if r["carrier"] == "REGIONAL"] == [
        "economy",
        "express",
    ]
    labelled = await client.post(f"{url}/label", headers=wh, json={"carrier": "REGIONAL"})
    assert labelled.status_code == 200, labelled.text
    label = labelled.json()["label"]
    number = label["tracking_number"]
    assert label["status"] == "purchased" and label["service"] == "economy"
    assert number in carrier.labels and carrier.purchases == sold_before + 1

    # Verify by scanning, then confirm.
    verified = await client.post(
        f"{url}/verify", headers=wh, json={"lines": [{"sku": "E2E-1", "quantity": "3"}]}
    )
    assert verified.status_code == 200, verified.text
    confirmed = await client.post(f"{url}/confirm", headers=wh, json={})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "shipped"

    # The carrier reports progress by webhook; the picked_up webhook arrives last.
    hooks: dict[str, tuple[dict[str, str], bytes]] = {}
    for status in ("picked_up", "in_transit", "out_for_delivery"):
        carrier.scan(number, status, status.replace("_", " "))
        hooks[status] = generic_webhook(carrier, number)
    webhook_url = "/api/v1/webhooks/carriers/REGIONAL"
    for status in ("in_transit", "out_for_delivery", "picked_up"):
        headers, raw = hooks[status]
        answer = await client.post(webhook_url, headers=headers, content=raw)
        assert answer.status_code == 200, answer.text
    tracking = (await client.get(f"{url}/tracking", headers=wh)).json()
    assert tracking["tracking_status"] == "out_for_delivery"  # not moved back by picked_up

    carrier.scan(number, "delivered", "Signed by reception")
    headers, raw = generic_webhook(carrier, number)
    assert (await client.post(webhook_url, headers=headers, content=raw)).status_code == 200

    # Delivered: the shipment, its timeline, the order, the public page.
    tracking = (await client.get(f"{url}/tracking", headers=wh)).json()
    assert tracking["tracking_status"] == "delivered"
    assert [e["status"] for e in tracking["events"] if e["source"] != "lading"] == [
        "label_created",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    final = (await client.get(url, headers=wh)).json()
    assert final["status"] == "delivered"
    placed = (
        await client.get(f"/api/v1/orders/{order['id']}", headers=await auth.as_role("viewer"))
    ).json()
    assert placed["fulfillment_status"] == "delivered"
    assert [line["delivered"] for line in placed["lines"]] == ["3"]

    async with sessionmaker() as session:
        events = (
            await session.scalars(
                select(OutboxEvent.event_type).where(
                    OutboxEvent.event_type.in_(["order.shipped", "order.delivered"])
                )
            )
        ).all()
        token = (
            await session.execute(
                select(Shipment.tracking_token).where(Shipment.id == uuid.UUID(shipment["id"]))
            )
        ).scalar_one()
    assert sorted(events) == ["order.delivered", "order.shipped"]
    public = await client.get(f"/api/v1/track/{token}")
    assert public.status_code == 200, public.text
    page = public.json()
    assert page["status"] == "delivered" and page["destination_city"] == "北京市"
    assert "End To End" not in public.text and order["number"] not in public.text
    assert number not in public.text and "建国路" not in public.text


async def test_parallel_label_purchases_buy_one_label_on_postgresql(
    pg_client, pg_auth, pg_app, carrier_server, unique
) -> None:
    """Two requests buy the same shipment's label at once on real parallel connections: the
    shipment lock makes the second take over the first's purchase (same idempotency key), so
    the carrier sells one label and both answers show it."""
    base_url, carrier = carrier_server
    pg_app.state.carrier_client = httpx.AsyncClient()
    tag = f"C{unique}".upper()
    _, shipment = await packed_shipment(
        pg_client,
        pg_auth,
        pg_app.state.sessionmaker,
        tag=tag,
        carrier_code=tag,
        base_url=base_url,
    )
    wh = await pg_auth.as_role("warehouse")
    url = f"/api/v1/shipments/{shipment['id']}"
    assert (await pg_client.post(f"{url}/rates", headers=wh, json={})).status_code == 200
    sold_before = carrier.purchases
    carrier.switches.latency_ms = 300  # both requests are in flight together
    try:
        first, second = await asyncio.gather(
            pg_client.post(f"{url}/label", headers=wh, json={"carrier": tag}),
            pg_client.post(f"{url}/label", headers=wh, json={"carrier": tag}),
        )
    finally:
        carrier.switches.latency_ms = 0
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    numbers = {r.json()["label"]["tracking_number"] for r in (first, second)}
    assert len(numbers) == 1 and None not in numbers
    assert carrier.purchases == sold_before + 1


async def packed_shipment(
    client, auth, sessionmaker, *, tag: str, carrier_code: str, base_url: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Master data named after ``tag``, then an order pushed by a storefront (idempotent),
    reviewed and allocated, picked and packed into a shipment: (order, shipment)."""
    sku, warehouse, customer = f"{tag}-1", tag, f"{tag}-C"
    admin = await auth.as_role("admin")
    wh = await auth.as_role("warehouse")

    # Master data: a product in stock, a warehouse, a customer, the carrier.
    await make_product(sessionmaker, sku, list_price="25.00", floor_price=None, tax_rate="0")
    await make_warehouse(
        sessionmaker, warehouse, latitude=Decimal("39.9"), longitude=Decimal("116.4"), priority=1
    )
    await make_customer(sessionmaker, customer, name="End To End Ltd", credit_limit="100000")
    body = carrier_body(
        carrier_code,
        adapter_kind="generic_json",
        endpoint=base_url,
        credentials=json.dumps({"api_key": "k", "webhook_secret": SECRET}),
        coverage={"CN": []},
        zone_rules={"default": "near"},
    )
    assert (await client.post("/api/v1/carriers", json=body, headers=admin)).status_code == 201
    received = await client.post(
        "/api/v1/stock/movements",
        headers=wh,
        json={"warehouse": warehouse, "sku": sku, "kind": "receipt", "quantity": "10"},
    )
    assert received.status_code == 201, received.text

    # Intake from a storefront (idempotent push), through review to allocation.
    pushed = await client.post(
        "/api/v1/orders",
        headers={
            **await auth.with_scopes(
                "orders:write", "orders:read", "orders:payment", channel="storefront"
            ),
            "Idempotency-Key": f"shop-{tag}",
        },
        json={
            "channel": "storefront",
            "external_ref": f"SHOP-{tag}",
            "customer": {"code": customer},
            "ship_to": BEIJING,
            "lines": [{"sku": sku, "quantity": "3"}],
            "payment": {"status": "paid", "reference": "PAY-E2E", "amount": "75.00"},
            "submit": True,
        },
    )
    assert pushed.status_code == 201, pushed.text
    order = pushed.json()
    assert order["status"] == "approved" and order["fulfillment_status"] == "reserved"

    # Pick and pack.
    pick = await client.post(
        "/api/v1/pick-lists", headers=wh, json={"warehouse": warehouse, "order_ids": [order["id"]]}
    )
    assert pick.status_code == 201, pick.text
    picked = await client.post(
        f"/api/v1/pick-lists/{pick.json()['id']}/confirm",
        headers=wh,
        json={"lines": [{"sku": sku, "picked": "3"}]},
    )
    assert picked.status_code == 200, picked.text
    created = await client.post(
        "/api/v1/shipments",
        headers=wh,
        json={
            "order_id": order["id"],
            "warehouse": warehouse,
            "packages": [
                {
                    "weight_kg": "4.5",
                    "length_cm": "40",
                    "width_cm": "30",
                    "height_cm": "20",
                    "contents": [{"sku": sku, "quantity": "3"}],
                }
            ],
        },
    )
    assert created.status_code == 201, created.text
    return order, created.json()
