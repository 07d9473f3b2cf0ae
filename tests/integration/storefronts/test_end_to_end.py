"""A WooCommerce order.created webhook becomes an order, flows to shipment, and its fulfilment
goes back through the real WooCommerce adapter (httpx.MockTransport standing in for the shop)."""

from __future__ import annotations

import base64
import json
import uuid
from decimal import Decimal

import httpx

from app.worker import storefronts as worker
from app.worker.routing import route_once
from tests.factories import make_product, make_warehouse
from tests.integration.storefronts.support import connect, deliver, fixture
from tests.integration.storefronts.test_calls_back import _ship


async def test_woocommerce_order_in_fulfilment_out(client, app, auth, unique) -> None:
    warehouse = f"W{unique}"
    await make_warehouse(app.state.sessionmaker, warehouse)
    staff = await auth.as_role("warehouse")
    for sku in (f"FOO-{unique}", f"BAR-{unique}"):
        await make_product(app.state.sessionmaker, sku, tax_rate=Decimal(0), floor_price=None)
        moved = await client.post(
            "/api/v1/stock/movements",
            headers=staff,
            json={"warehouse": warehouse, "sku": sku, "kind": "receipt", "quantity": "5"},
        )
        assert moved.status_code == 201, moved.text
    code = f"woo-{unique}"
    await connect(
        client,
        await auth.as_role("admin"),
        code,
        platform="woocommerce",
        access_token=None,
        consumer_key="ck_demo",
        consumer_secret="cs_demo",
        sku_mode="mapping",
        sku_mapping=[
            {"platform_key": "product:93", "sku": f"FOO-{unique}"},
            {"platform_key": "Bar3", "sku": f"BAR-{unique}"},
        ],
    )
    payload = fixture("woocommerce_order.json")
    payload["id"] = int(uuid.uuid4().int % 10**9)
    answer = await deliver(client, code, payload, "order.created", platform="woocommerce")
    order = (
        await client.get(
            f"/api/v1/orders/{answer.json()['order_id']}", headers=await auth.as_role("admin")
        )
    ).json()
    assert order["status"] == "approved", order
    shipment = await _ship(client, auth, warehouse, order)

    sent: list[httpx.Request] = []
    status = {"value": "processing"}

    def shop(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/notes"):
            if request.method == "GET":
                return httpx.Response(200, json=[])
            return httpx.Response(
                201, json={"id": 281, "note": json.loads(request.content)["note"]}
            )
        if request.method == "PUT":
            status["value"] = json.loads(request.content)["status"]
        return httpx.Response(200, json={"id": payload["id"], "status": status["value"]})

    maker, settings = app.state.sessionmaker, app.state.settings
    while await route_once(maker, settings, [worker.route_calls]):
        pass
    async with httpx.AsyncClient(transport=httpx.MockTransport(shop)) as http:
        assert await worker.send_calls_once(maker, http, settings) == 1
        assert await worker.send_calls_once(maker, http, settings) == 0  # sent once

    basic = "Basic " + base64.b64encode(b"ck_demo:cs_demo").decode()
    order_path = f"/wp-json/wc/v3/orders/{payload['id']}"
    assert [(r.method, r.url.path) for r in sent] == [
        ("GET", f"{order_path}/notes"),
        ("POST", f"{order_path}/notes"),
        ("GET", order_path),
        ("PUT", order_path),
    ]
    assert {r.headers["authorization"] for r in sent} == {basic}
    assert {r.url.host for r in sent} == {"93.184.216.34"}
    assert shipment["number"] in json.loads(sent[1].content)["note"]
    assert json.loads(sent[3].content) == {"status": "completed"}
