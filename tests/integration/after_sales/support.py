"""Shared steps of the after-sales tests: a delivered order (10.00 a unit, no tax, shipped
from HZ by the own fleet and handed over), and returns requested and decided through HTTP."""

from __future__ import annotations

import base64
from typing import Any

from tests.integration.billing.test_invoicing import ship
from tests.integration.test_shipments import SHIPMENTS, confirm, created, data, headers, verify

__all__ = ["RETURNS", "data", "decide", "delivered", "fulfil", "line_ids", "request_return"]

RETURNS = "/api/v1/returns"


async def delivered(client, auth, lines: dict[str, str]) -> tuple[dict, dict]:
    """An order of ``lines`` (SKU → quantity), shipped and delivered; (order, shipment)."""
    placed, shipment = await ship(client, auth, lines)
    return placed, await hand_over(client, auth, shipment)


async def fulfil(client, auth, order_id: str, lines: dict[str, str]) -> dict:
    """An approved, reserved order picked from HZ, packed, shipped and delivered (the
    shipment)."""
    warehouse = await headers(auth)
    response = await client.post(
        "/api/v1/pick-lists", headers=warehouse, json={"warehouse": "HZ", "order_ids": [order_id]}
    )
    assert response.status_code == 201, response.text
    response = await client.post(
        f"/api/v1/pick-lists/{response.json()['id']}/confirm",
        headers=warehouse,
        json={"lines": [{"sku": sku, "picked": q} for sku, q in lines.items()]},
    )
    assert response.status_code == 200, response.text
    shipment = await created(client, auth, order_id, None, packed=lines)
    assert (await verify(client, auth, shipment["id"], lines)).status_code == 200
    response = await confirm(client, auth, shipment["id"])
    assert response.status_code == 200, response.text
    return await hand_over(client, auth, response.json())


async def hand_over(client, auth, shipment: dict) -> dict:
    """The own fleet delivers ``shipment`` (proof: a signature)."""
    response = await client.post(
        f"{SHIPMENTS}/{shipment['id']}/deliver",
        headers=await auth.as_role("warehouse"),
        json={
            "receiver_name": "王五",
            "signature": base64.b64encode(b"\x89PNG signature").decode(),
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


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
    exchange: dict[str, str] | None = None,
    **body: Any,
) -> dict:
    """A return of ``lines`` (SKU → quantity); ``exchange``: SKU → the SKU wanted instead."""
    ids = line_ids(order)
    wanted = exchange or {}
    payload = {
        "order_id": order["id"],
        "lines": [
            {"order_line_id": ids[sku], "quantity": q}
            | ({"exchange_sku": wanted[sku]} if sku in wanted else {})
            for sku, q in lines.items()
        ],
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
