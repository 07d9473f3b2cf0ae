"""Shop connections and signed webhooks for the storefront tests."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

import httpx

from app.domain.storefronts.signatures import sign

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "storefronts"
SECRET = "shpss_test-webhook-secret"
PUBLIC = "https://93.184.216.34"  # a public address: no DNS in tests


def fixture(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((FIXTURES / name).read_text()))


def shopify_order(tag: str) -> dict[str, Any]:
    """The client library's order with SKUs of this test. Its totals are set to what its
    lines add up to (the fixture states a subtotal of 398.00 for three lines of 199.00)."""
    order = fixture("shopify_orders_create.json")
    order["id"] = int(uuid.uuid4().int % 10**12)
    for line in order["line_items"]:
        line["sku"] = f"{line['sku']}-{tag}"
    order["total_price"] = "597.00"
    order["total_tax"] = "0.00"
    order["financial_status"] = "paid"
    return order


async def connect(client: httpx.AsyncClient, headers: dict[str, str], code: str, **kw: Any) -> dict:
    body = {
        "code": code,
        "name": f"Shop {code}",
        "platform": "shopify",
        "base_url": PUBLIC,
        "webhook_secret": SECRET,
        "access_token": "shpat_secret-token",
        **kw,
    }
    response = await client.post("/api/v1/storefront-connections", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def shopify_headers(body: bytes, topic: str, webhook_id: str, secret: str = SECRET) -> dict:
    return {
        "content-type": "application/json",
        "x-shopify-topic": topic,
        "x-shopify-webhook-id": webhook_id,
        "x-shopify-hmac-sha256": sign(secret, body),
    }


def woo_headers(body: bytes, topic: str, delivery: str, secret: str = SECRET) -> dict:
    return {
        "content-type": "application/json",
        "x-wc-webhook-topic": topic,
        "x-wc-webhook-delivery-id": delivery,
        "x-wc-webhook-signature": sign(secret, body),
    }


async def deliver(
    client: httpx.AsyncClient,
    code: str,
    payload: Any,
    topic: str,
    webhook_id: str | None = None,
    *,
    platform: str = "shopify",
    secret: str = SECRET,
) -> httpx.Response:
    body = json.dumps(payload).encode()
    make = shopify_headers if platform == "shopify" else woo_headers
    headers = make(body, topic, webhook_id or uuid.uuid4().hex, secret)
    return await client.post(f"/api/v1/webhooks/storefronts/{code}", content=body, headers=headers)
