"""Shopify order webhooks in: signed, kept once, mapped to a submitted Lading order."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

from app.domain.storefronts.signatures import sign
from tests.factories import make_product
from tests.integration.storefronts.support import connect, deliver, shopify_order
from tests.support import assert_problem


async def _shop(client, app, auth, tag: str, **kw) -> str:
    for sku in ("IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"):
        await make_product(app.state.sessionmaker, f"{sku}-{tag}", tax_rate=Decimal(0))
    code = f"shop-{tag}"
    await connect(client, await auth.as_role("admin"), code, **kw)
    return code


async def _order(client, auth, order_id: str) -> dict:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=await auth.as_role("admin"))
    assert response.status_code == 200, response.text
    return response.json()


async def test_orders_create_becomes_one_submitted_order_at_the_shops_prices(
    client, app, auth, unique
) -> None:
    code = await _shop(client, app, auth, unique)
    payload = shopify_order(unique)
    payload["line_items"][0]["discount_allocations"] = [{"amount": "19.90"}]
    payload["total_price"] = "577.10"
    answer = await deliver(client, code, payload, "orders/create", "wh-1")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "accepted"
    order = await _order(client, auth, answer.json()["order_id"])
    assert order["external_ref"] == f"{code}:{payload['id']}"
    assert order["channel"] == "storefront"
    assert order["status"] not in ("draft", "cancelled")
    assert order["payment"]["status"] == "paid"
    prices = {x["sku"]: x["unit_price"] for x in order["lines"]}
    assert prices[f"IPOD2008GREEN-{unique}"] == "179.10"  # 199.00 less its 19.90 discount
    assert prices[f"IPOD2008RED-{unique}"] == "199.00"
    assert "#1001" in order["notes"] and "Free Shipping" in order["notes"]
    assert order["ship_to"]["city"] == "Louisville"

    again = await deliver(client, code, payload, "orders/create", "wh-1")
    assert again.json()["status"] == "duplicate"
    other_id = await deliver(client, code, payload, "orders/create", "wh-2")
    assert other_id.json()["order_id"] == answer.json()["order_id"]


async def test_forged_missing_and_foreign_signatures_are_401(client, app, auth, unique) -> None:
    code = await _shop(client, app, auth, unique)
    body = json.dumps(shopify_order(unique)).encode()
    url = f"/api/v1/webhooks/storefronts/{code}"
    base = {"x-shopify-topic": "orders/create", "x-shopify-webhook-id": "w"}
    forged = await client.post(
        url, content=body, headers={**base, "x-shopify-hmac-sha256": sign("other", body)}
    )
    assert_problem(forged, 401, code="bad_signature")
    missing = await client.post(url, content=body, headers=base)
    assert_problem(missing, 401, code="bad_signature")
    tampered = await client.post(
        url,
        content=body + b" ",
        headers={**base, "x-shopify-hmac-sha256": sign("shpss_test-webhook-secret", body)},
    )
    assert_problem(tampered, 401, code="bad_signature")
    unknown = await client.post(
        "/api/v1/webhooks/storefronts/no-such-shop", content=body, headers=base
    )
    assert_problem(unknown, 404)


async def test_unknown_sku_is_answered_200_kept_and_alerted(client, app, auth, unique) -> None:
    code = await _shop(client, app, auth, unique)
    payload = shopify_order(unique)
    payload["line_items"][1]["sku"] = "NOT-A-LADING-SKU"
    answer = await deliver(client, code, payload, "orders/create")
    assert answer.status_code == 200
    assert answer.json()["status"] == "rejected"
    admin = await auth.as_role("admin")
    shop = (await client.get("/api/v1/storefront-connections", headers=admin)).json()["items"]
    connection = next(c for c in shop if c["code"] == code)
    listed = await client.get(
        f"/api/v1/storefront-connections/{connection['id']}/rejected-intakes",
        headers=await auth.as_role("sales"),
    )
    assert listed.status_code == 200, listed.text
    (rejection,) = listed.json()["items"]
    assert rejection["code"] == "unknown_sku"
    assert rejection["platform_order_id"] == str(payload["id"])
    alerts = await client.get("/api/v1/alerts", headers=admin)
    rules = {(a["rule"], a["subject_id"]) for a in alerts.json()["items"]}
    assert ("storefront_intake_rejected", connection["id"]) in rules
    warehouse = await client.get(
        f"/api/v1/storefront-connections/{connection['id']}/rejected-intakes",
        headers=await auth.as_role("warehouse"),
    )
    assert warehouse.status_code == 403


async def test_malformed_payloads_are_rejected_intakes_not_errors(
    client, app, auth, unique
) -> None:
    code = await _shop(client, app, auth, unique)
    for payload in ([1, 2], {"id": 5, "currency": "USD", "line_items": "x"}, "text"):
        answer = await deliver(client, code, payload, "orders/create")
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "rejected"
    body = b"{not json"
    from tests.integration.storefronts.support import shopify_headers

    raw = await client.post(
        f"/api/v1/webhooks/storefronts/{code}",
        content=body,
        headers=shopify_headers(body, "orders/create", "raw"),
    )
    assert raw.json()["status"] == "rejected"


async def test_a_currency_the_price_list_does_not_use_is_rejected(
    client, app, auth, unique
) -> None:
    from tests.factories import make_customer, make_price_list

    price_list = await make_price_list(app.state.sessionmaker, [], currency="CNY")
    account = await make_customer(
        app.state.sessionmaker, f"ACC-{unique}", price_list_id=price_list.id
    )
    code = await _shop(
        client, app, auth, unique, customer_mode="account", account_customer_id=str(account.id)
    )
    answer = await deliver(client, code, shopify_order(unique), "orders/create")
    assert answer.json()["status"] == "rejected"
    assert "CNY" in answer.json()["reason"]


async def test_paid_and_cancelled_follow_the_order(client, app, auth, unique) -> None:
    code = await _shop(client, app, auth, unique)
    payload = shopify_order(unique)
    payload["financial_status"] = "pending"
    placed = await deliver(client, code, payload, "orders/create")
    order_id = placed.json()["order_id"]
    assert (await _order(client, auth, order_id))["payment"]["status"] == "unpaid"
    payload["financial_status"] = "paid"
    paid = await deliver(client, code, payload, "orders/paid")
    assert paid.json()["status"] == "updated"
    assert (await _order(client, auth, order_id))["payment"]["status"] == "paid"
    payload["cancelled_at"] = "2026-12-03T10:00:00-05:00"
    cancelled = await deliver(client, code, payload, "orders/cancelled")
    assert cancelled.json()["status"] == "cancelled"
    assert (await _order(client, auth, order_id))["status"] == "cancelled"


async def test_changed_lines_raise_an_alert_instead_of_diverging(client, app, auth, unique) -> None:
    code = await _shop(client, app, auth, unique)
    payload = shopify_order(unique)
    placed = await deliver(client, code, payload, "orders/create")
    payload["line_items"][0]["quantity"] = 3
    updated = await deliver(client, code, payload, "orders/updated")
    assert updated.json()["status"] == "diverged"
    alerts = await client.get("/api/v1/alerts", headers=await auth.as_role("admin"))
    rules = {(a["rule"], a["subject_id"]) for a in alerts.json()["items"]}
    assert ("storefront_order_diverged", placed.json()["order_id"]) in rules
    order = await _order(client, auth, placed.json()["order_id"])
    assert {x["ordered"] for x in order["lines"]} == {"1"}


async def test_shop_customers_are_matched_by_platform_id_then_email(
    client, app, auth, unique
) -> None:
    code = await _shop(client, app, auth, unique)
    first = shopify_order(unique)
    second = shopify_order(unique)
    third = shopify_order(unique)
    third["customer"]["id"] = 99999
    a = await _order(
        client, auth, (await deliver(client, code, first, "orders/create")).json()["order_id"]
    )
    b = await _order(
        client, auth, (await deliver(client, code, second, "orders/create")).json()["order_id"]
    )
    c = await _order(
        client, auth, (await deliver(client, code, third, "orders/create")).json()["order_id"]
    )
    assert a["customer_id"] == b["customer_id"] == c["customer_id"]
    assert a["customer_code"] == f"{code}-207119551"
    assert uuid.UUID(a["customer_id"])
