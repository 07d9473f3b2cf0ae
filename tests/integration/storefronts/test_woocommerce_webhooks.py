"""WooCommerce order webhooks in: the documented order, its ping, deletion and statuses."""

from __future__ import annotations

import uuid
from decimal import Decimal

from tests.factories import make_product
from tests.integration.storefronts.support import SECRET, connect, deliver, fixture


async def _shop(client, app, auth, tag: str) -> str:
    await make_product(app.state.sessionmaker, f"FOO-{tag}", tax_rate=Decimal("0.075"))
    await make_product(app.state.sessionmaker, f"BAR-{tag}", tax_rate=Decimal("0.075"))
    code = f"woo-{tag}"
    await connect(
        client,
        await auth.as_role("admin"),
        code,
        platform="woocommerce",
        access_token=None,
        consumer_key="ck_test",
        consumer_secret="cs_test",
        sku_mode="mapping",
        # the documented order's first line has no SKU: mapped by its product id
        sku_mapping=[
            {"platform_key": "product:93", "sku": f"FOO-{tag}"},
            {"platform_key": "Bar3", "sku": f"BAR-{tag}"},
        ],
    )
    return code


def _order(status: str = "processing") -> dict:
    order = fixture("woocommerce_order.json")
    order["id"] = int(uuid.uuid4().int % 10**9)
    order["status"] = status
    return order


async def _read(client, auth, order_id: str) -> dict:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=await auth.as_role("admin"))
    assert response.status_code == 200, response.text
    return response.json()


async def test_order_created_becomes_one_paid_order(client, app, auth, unique) -> None:
    code = await _shop(client, app, auth, unique)
    payload = _order()
    answer = await deliver(client, code, payload, "order.created", "d-1", platform="woocommerce")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "accepted"
    order = await _read(client, auth, answer.json()["order_id"])
    assert order["external_ref"] == f"{code}:{payload['id']}"
    assert order["payment"]["status"] == "paid"
    assert {(x["sku"], x["ordered"], x["unit_price"]) for x in order["lines"]} == {
        (f"FOO-{unique}", "2", "3.00"),
        (f"BAR-{unique}", "1", "12.00"),
    }
    assert order["ship_to"]["street"] == "969 Market"
    again = await deliver(client, code, payload, "order.created", "d-1", platform="woocommerce")
    assert again.json()["status"] == "duplicate"
    updated = await deliver(client, code, payload, "order.updated", "d-2", platform="woocommerce")
    assert updated.json()["status"] == "unchanged"
    assert updated.json()["order_id"] == answer.json()["order_id"]


async def test_the_ping_on_webhook_creation_is_answered_200(client, app, auth, unique) -> None:
    code = await _shop(client, app, auth, unique)
    answer = await client.post(
        f"/api/v1/webhooks/storefronts/{code}",
        content=b"webhook_id=17",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "ping"


async def test_on_hold_is_unpaid_then_processing_pays_and_deleted_cancels(
    client, app, auth, unique
) -> None:
    code = await _shop(client, app, auth, unique)
    payload = _order("on-hold")
    placed = await deliver(client, code, payload, "order.created", platform="woocommerce")
    order_id = placed.json()["order_id"]
    assert (await _read(client, auth, order_id))["payment"]["status"] == "unpaid"
    payload["status"] = "processing"
    await deliver(client, code, payload, "order.updated", platform="woocommerce")
    assert (await _read(client, auth, order_id))["payment"]["status"] == "paid"
    deleted = await deliver(
        client, code, {"id": payload["id"]}, "order.deleted", platform="woocommerce"
    )
    assert deleted.json()["status"] == "cancelled"
    assert (await _read(client, auth, order_id))["status"] == "cancelled"


async def test_a_forged_woocommerce_signature_is_401(client, app, auth, unique) -> None:
    code = await _shop(client, app, auth, unique)
    answer = await deliver(
        client, code, _order(), "order.created", platform="woocommerce", secret=SECRET + "x"
    )
    assert answer.status_code == 401
