"""Shared steps of the after-sales tests: a delivered order (10.00 a unit, no tax, shipped
from HZ by the own fleet and handed over), and returns requested and decided through HTTP."""

from __future__ import annotations

import base64
from typing import Any

from tests.integration.billing.test_invoicing import ship
from tests.integration.test_shipments import SHIPMENTS, data

__all__ = ["RETURNS", "data", "decide", "delivered", "line_ids", "request_return"]

RETURNS = "/api/v1/returns"


async def delivered(client, auth, lines: dict[str, str]) -> tuple[dict, dict]:
    """An order of ``lines`` (SKU → quantity), shipped and delivered; (order, shipment)."""
    placed, shipment = await ship(client, auth, lines)
    response = await client.post(
        f"{SHIPMENTS}/{shipment['id']}/deliver",
        headers=await auth.as_role("warehouse"),
        json={
            "receiver_name": "王五",
            "signature": base64.b64encode(b"\x89PNG signature").decode(),
        },
    )
    assert response.status_code == 200, response.text
    return placed, response.json()


def line_ids(order: dict) -> dict[str, str]:
    """SKU → order line id."""
    return {x["sku"]: x["id"] for x in order["lines"]}


async def request_return(
    client,
    auth,
    order: dict,
    lines: dict[str, str],
    *,
    role: str = "sales",
    expect: int = 201,
    **body: Any,
) -> dict:
    ids = line_ids(order)
    payload = {
        "order_id": order["id"],
        "lines": [{"order_line_id": ids[sku], "quantity": q} for sku, q in lines.items()],
        "reason": "damaged",
        "resolution": "refund",
        "method": "drop_off",
        **body,
    }
    response = await client.post(RETURNS, headers=await auth.as_role(role), json=payload)
    assert response.status_code == expect, response.text
    return response.json()


async def decide(
    client,
    auth,
    ret: dict,
    action: str = "approve",
    *,
    role: str = "sales_manager",
    expect: int = 200,
    **body: Any,
) -> dict:
    headers = await auth.as_role(role)
    response = await client.post(
        f"{RETURNS}/{ret['id']}/{action}", headers=headers, json=body or None
    )
    assert response.status_code == expect, response.text
    return response.json()


async def receive(
    client, auth, ret: dict, lines: dict[str, dict[str, Any]], *, expect: int = 200
) -> dict:
    """Receive ``ret``: SKU → {restock, quarantine, scrap, ...} per return line."""
    by_sku = {x["sku"]: x["id"] for x in ret["lines"]}
    body = {"lines": [{"return_line_id": by_sku[sku], **v} for sku, v in lines.items()]}
    response = await client.post(
        f"{RETURNS}/{ret['id']}/receive", headers=await auth.as_role("warehouse"), json=body
    )
    assert response.status_code == expect, response.text
    return response.json()


async def on_hand(client, auth, sku: str, warehouse: str = "HZ") -> tuple[str, str]:
    """(on hand, reserved) of ``sku`` in ``warehouse``."""
    response = await client.get(
        "/api/v1/stock/levels",
        params={"warehouse": warehouse, "sku": sku},
        headers=await auth.as_role("warehouse"),
    )
    assert response.status_code == 200, response.text
    [level] = response.json()["items"]
    return level["on_hand"], level["reserved"]
