"""Through HTTP on both engines: a storefront order's life — pushed paid with an API key and
approved, picked, shipped and delivered by the own fleet — sends the confirmation, shipped,
invoice and delivered emails to a real SMTP server, routed from the outbox rows the requests
wrote."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy

import httpx

from app.adapters.notifiers.registry import notifiers_for
from app.worker.notify.sending import send_due
from app.worker.routing import route_once
from app.worker.schedule import ROUTES
from tests.integration.notifications.test_email import Inbox, smtp_server, smtp_settings
from tests.integration.test_shipments import (
    SHANGHAI,
    SHIPMENTS,
    confirm,
    created,
    headers,
    verify,
)
from tests.integration.test_shipments import data as shipment_data


async def _deliver(sessionmaker, settings) -> None:
    while await route_once(sessionmaker, settings, ROUTES) >= settings.dispatcher_batch_size:
        pass
    async with httpx.AsyncClient() as http:
        await send_due(sessionmaker, notifiers_for(settings, http), settings)


data = shipment_data  # the fixture: products, the HZ warehouse and customer ACME


async def storefront_order_picked(client, auth) -> dict:
    """Stock received; a paid storefront order pushed with an API key (approved and allocated
    at once); its pick confirmed."""
    received = await client.post(
        "/api/v1/stock/movements",
        headers=await headers(auth),
        json={"warehouse": "HZ", "sku": "S-1", "kind": "receipt", "quantity": "2"},
    )
    assert received.status_code == 201, received.text
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    response = await client.post(
        "/api/v1/orders",
        headers={**key, "Idempotency-Key": "shop-order-1"},
        json={
            "channel": "storefront",
            "external_ref": "SHOP-1",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": "S-1", "quantity": "2"}],
            "submit": True,
            "payment": {"status": "paid", "reference": "pay-1", "amount": "20"},
        },
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["status"] == "approved", placed
    pick = await client.post(
        "/api/v1/pick-lists",
        headers=await headers(auth),
        json={"warehouse": "HZ", "order_ids": [placed["id"]]},
    )
    assert pick.status_code == 201, pick.text
    confirmed = await client.post(
        f"/api/v1/pick-lists/{pick.json()['id']}/confirm",
        headers=await headers(auth),
        json={"lines": [{"sku": "S-1", "picked": "2"}]},
    )
    assert confirmed.status_code == 200, confirmed.text
    return placed


async def test_an_orders_life_is_told_by_email(client, auth, data, sessionmaker, settings) -> None:
    inbox = Inbox()
    async with smtp_server(inbox) as port:
        settings = smtp_settings(settings, port)
        placed = await storefront_order_picked(client, auth)
        await _deliver(sessionmaker, settings)
        shipment = await created(client, auth, placed["id"], {"S-1": "2"})
        assert (await verify(client, auth, shipment["id"], {"S-1": "2"})).status_code == 200
        assert (await confirm(client, auth, shipment["id"])).status_code == 200
        await _deliver(sessionmaker, settings)
        delivered = await client.post(
            f"{SHIPMENTS}/{shipment['id']}/deliver",
            headers=await headers(auth),
            json={"receiver_name": "王五"},
        )
        assert delivered.status_code == 200, delivered.text
        await _deliver(sessionmaker, settings)
        await _deliver(sessionmaker, settings)  # routed again: nothing is sent twice
    messages = [message_from_bytes(raw, policy=default_policy) for _, raw in inbox.messages]
    subjects = [m["Subject"] for m in messages]
    number = placed["number"]
    assert subjects[0] == f"订单确认：{number}"
    assert f"订单 {number} 已发货" in subjects
    assert f"订单 {number} 已送达" in subjects
    assert any(s.startswith("发票 INV-") for s in subjects)
    assert len(subjects) == 4 and {m["To"] for m in messages} == {"wang@acme.example"}
    shipped = next(m for m in messages if m["Subject"] == f"订单 {number} 已发货")
    assert "/api/v1/track/" in shipped.get_content()
    done = next(m for m in messages if m["Subject"] == f"订单 {number} 已送达")
    assert "签收人：王五" in done.get_content()

    log = await client.get(
        "/api/v1/notifications",
        params={"order_id": placed["id"], "channel": "email"},
        headers=await auth.as_role("sales"),
    )
    kinds = sorted(n["kind"] for n in log.json()["items"])
    assert kinds == ["delivered", "order_confirmed", "shipped"]
    assert {n["status"] for n in log.json()["items"]} == {"sent"}
