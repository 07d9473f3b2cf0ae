"""What goes back to a shop: a confirmed shipment of its order becomes one fulfilment with the
shop's own line ids, a delivery is reported, Lading's own cancellation is passed on, and a
stock change is pushed once debounced — sent by the worker from the outbox (fake gateway)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from app.adapters.storefronts.base import StorefrontError
from app.repositories.storefronts import StorefrontCall, StorefrontStockDirty
from app.worker import storefronts as worker
from app.worker.routing import route_once
from tests.factories import make_product, make_warehouse
from tests.fakes import FakeStorefrontGateway
from tests.integration.storefronts.support import connect, deliver, shopify_order

SKUS = ("IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK")


async def _placed(client, app, auth, tag: str, **shop) -> tuple[str, dict, dict]:
    warehouse = f"W{tag}"
    await make_warehouse(app.state.sessionmaker, warehouse)
    staff = await auth.as_role("warehouse")
    for sku in SKUS:
        await make_product(
            app.state.sessionmaker, f"{sku}-{tag}", tax_rate=Decimal(0), floor_price=None
        )
        moved = await client.post(
            "/api/v1/stock/movements",
            headers=staff,
            json={
                "warehouse": warehouse,
                "sku": f"{sku}-{tag}",
                "kind": "receipt",
                "quantity": "5",
            },
        )
        assert moved.status_code == 201, moved.text
    code = f"out-{tag}"
    await connect(client, await auth.as_role("admin"), code, **shop)
    payload = shopify_order(tag)
    answer = await deliver(client, code, payload, "orders/create")
    order = (
        await client.get(
            f"/api/v1/orders/{answer.json()['order_id']}", headers=await auth.as_role("admin")
        )
    ).json()
    assert order["status"] == "approved" and order["fulfillment_status"] == "reserved", order
    return warehouse, payload, order


async def _ship(client, auth, warehouse: str, order: dict) -> dict:
    staff = await auth.as_role("warehouse")
    lines = {x["sku"]: x["ordered"] for x in order["lines"]}
    pick = await client.post(
        "/api/v1/pick-lists",
        headers=staff,
        json={"warehouse": warehouse, "order_ids": [order["id"]]},
    )
    assert pick.status_code == 201, pick.text
    picked = await client.post(
        f"/api/v1/pick-lists/{pick.json()['id']}/confirm",
        headers=staff,
        json={"lines": [{"sku": s, "picked": q} for s, q in lines.items()]},
    )
    assert picked.status_code == 200, picked.text
    package = {
        "weight_kg": "1",
        "length_cm": "10",
        "width_cm": "10",
        "height_cm": "10",
        "contents": [{"sku": s, "quantity": q} for s, q in lines.items()],
    }
    shipment = await client.post(
        "/api/v1/shipments",
        headers=staff,
        json={"order_id": order["id"], "warehouse": warehouse, "packages": [package]},
    )
    assert shipment.status_code == 201, shipment.text
    sid = shipment.json()["id"]
    scanned = [{"sku": s, "quantity": q} for s, q in lines.items()]
    assert (
        await client.post(f"/api/v1/shipments/{sid}/verify", headers=staff, json={"lines": scanned})
    ).status_code == 200
    confirmed = await client.post(f"/api/v1/shipments/{sid}/confirm", headers=staff, json={})
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json()


async def _send(app, shop: FakeStorefrontGateway) -> None:
    maker, settings = app.state.sessionmaker, app.state.settings
    while await route_once(maker, settings, [worker.route_calls]):
        pass
    await worker.send_calls_once(maker, None, settings, gateways=lambda platform, client: shop)


async def test_a_confirmed_shipment_becomes_one_fulfilment(client, app, auth, unique) -> None:
    warehouse, payload, order = await _placed(client, app, auth, unique, notify_customer=True)
    shipment = await _ship(client, auth, warehouse, order)
    shop = FakeStorefrontGateway()
    await _send(app, shop)
    fulfilments = [v for k, v in shop.calls if k == "fulfil"]
    assert len(fulfilments) == 1
    (notice,) = fulfilments
    assert notice.order_id == str(payload["id"])
    assert notice.reference == shipment["number"]
    assert notice.notify_customer is True and notice.complete is True
    assert {(x.line_item_id, x.quantity) for x in notice.lines} == {
        (str(x["id"]), 1) for x in payload["line_items"]
    }
    assert notice.tracking_url and "/api/v1/track/" in notice.tracking_url
    await _send(app, shop)  # routed and sent once: nothing more
    assert len([k for k, _ in shop.calls if k == "fulfil"]) == 1

    staff = await auth.as_role("warehouse")
    delivered = await client.post(
        f"/api/v1/shipments/{shipment['id']}/deliver", headers=staff, json={"receiver_name": "Bob"}
    )
    assert delivered.status_code == 200, delivered.text
    await _send(app, shop)
    (delivery,) = [v for k, v in shop.calls if k == "delivered"]
    assert (delivery.reference, delivery.event) == (shipment["number"], "delivered")


async def test_a_failing_shop_is_retried_then_given_up(client, app, auth, unique) -> None:
    warehouse, _, order = await _placed(client, app, auth, unique)
    await _ship(client, auth, warehouse, order)
    shop = FakeStorefrontGateway(fail_with=StorefrontError("busy", status=503, retryable=True))
    await _send(app, shop)
    async with app.state.sessionmaker() as session:
        (call,) = (await session.scalars(select(StorefrontCall))).all()
    assert (call.status, call.attempts) == ("pending", 1) and "503" in (call.last_error or "")
    refused = FakeStorefrontGateway(fail_with=StorefrontError("no such order", status=404))
    async with app.state.sessionmaker() as session:
        row = await session.get(StorefrontCall, call.id)
        assert row is not None
        row.next_attempt_at = row.created_at
        await session.commit()
    await _send(app, refused)
    async with app.state.sessionmaker() as session:
        row = await session.get(StorefrontCall, call.id)
        assert row is not None and row.status == "dead" and row.attempts == 2


async def test_lading_cancelling_tells_the_shop_but_the_shop_is_not_echoed(
    client, app, auth, unique
) -> None:
    _, payload, order = await _placed(client, app, auth, unique)
    cancelled = await client.post(
        f"/api/v1/orders/{order['id']}/cancel",
        headers=await auth.as_role("sales"),
        json={"reason": "out of stock after all"},
    )
    assert cancelled.status_code == 200, cancelled.text
    shop = FakeStorefrontGateway()
    await _send(app, shop)
    assert [v for k, v in shop.calls if k == "cancel"] == [
        (str(payload["id"]), "out of stock after all")
    ]
    other = shopify_order(unique)
    await deliver(client, f"out-{unique}", other, "orders/create")
    other["cancelled_at"] = "2026-12-03T10:00:00Z"
    echoed = await deliver(client, f"out-{unique}", other, "orders/cancelled")
    assert echoed.json()["status"] == "cancelled"
    await _send(app, shop)
    assert len([k for k, _ in shop.calls if k == "cancel"]) == 1


async def test_stock_changes_are_pushed_once_debounced(client, app, auth, unique) -> None:
    _, _, order = await _placed(client, app, auth, unique)
    maker, settings = app.state.sessionmaker, app.state.settings
    async with maker() as session:
        dirty = {r.sku for r in (await session.scalars(select(StorefrontStockDirty))).all()}
    assert {f"{s}-{unique}" for s in SKUS} <= dirty
    shop = FakeStorefrontGateway()
    waiting = settings.model_copy(update={"storefront_stock_debounce_seconds": 3600})
    assert await worker.push_stock_once(maker, None, waiting, gateways=lambda p, c: shop) == 0
    now = settings.model_copy(update={"storefront_stock_debounce_seconds": 0})
    await worker.push_stock_once(maker, None, now, gateways=lambda p, c: shop)
    pushed = {x.sku: x.available for _, levels in shop.calls for x in levels}
    assert pushed[f"IPOD2008GREEN-{unique}"] == Decimal(4)  # 5 received, 1 reserved
    await worker.push_stock_once(maker, None, now, gateways=lambda p, c: shop)
    assert len(shop.calls) == 1  # nothing changed since
    assert uuid.UUID(order["id"])
