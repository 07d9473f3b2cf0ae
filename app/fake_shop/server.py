"""The fake shop's HTTP side: Shopify's Admin GraphQL endpoint (the documents Lading's Shopify
adapter sends, answered from :class:`FakeShop`), ``POST /_fake/order`` to send Lading one more
signed ``orders/create`` and ``GET /_fake/state`` to see what Lading told the shop."""

from __future__ import annotations

import json
import logging
import random
import re
from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.domain.storefronts.signatures import sign
from app.fake_shop.state import LOCATION, FakeShop

log = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
_OPERATION = re.compile(r"(?:query|mutation)\s+(\w+)")
# The demo's products (app.demo) as a shop sells them.
DEMO_LINES = [("SCR-001", "19.90"), ("TAP-050", "6.50")]


def order_payload(order_id: int, rand: random.Random) -> dict[str, Any]:
    """A Shopify ``orders/create`` body (the REST Order resource) for the demo products."""
    quantities = [rand.randint(1, 3) for _ in DEMO_LINES]
    lines: list[dict[str, Any]] = [
        {
            "id": order_id * 10 + i,
            "sku": sku,
            "name": sku,
            "price": price,
            "quantity": quantity,
            "discount_allocations": [],
        }
        for i, ((sku, price), quantity) in enumerate(zip(DEMO_LINES, quantities, strict=True), 1)
    ]
    net = sum(
        (Decimal(p) * q for (_, p), q in zip(DEMO_LINES, quantities, strict=True)), Decimal(0)
    )
    tax = (net * Decimal("0.13")).quantize(Decimal("0.01"))
    total = net + tax + Decimal("10.00")  # the demo products' 13% VAT, and shipping
    return {
        "id": order_id,
        "name": f"#{1000 + order_id % 1000}",
        "email": "li.ming@example.com",
        "currency": "CNY",
        "financial_status": "paid",
        "total_price": str(total),
        "total_tax": str(tax),
        "taxes_included": False,
        "tags": "demo, web",
        "note": "请工作日送货",
        "customer": {
            "id": 7001,
            "email": "li.ming@example.com",
            "first_name": "明",
            "last_name": "李",
        },
        "shipping_address": {
            "name": "李明",
            "phone": "+86 138 0000 0000",
            "address1": "南京西路 1266 号",
            "city": "上海市",
            "province": "上海市",
            "zip": "200040",
            "country_code": "CN",
        },
        "line_items": lines,
        "shipping_lines": [{"title": "顺丰标快", "price": "10.00"}],
    }


async def send_order(app: Starlette) -> dict[str, Any]:
    """Post one signed ``orders/create`` to Lading; the fake keeps the order's lines."""
    cfg = app.state.config
    order_id = app.state.rand.randint(10**9, 10**10)
    payload = order_payload(order_id, app.state.rand)
    body = json.dumps(payload).encode()
    headers = {
        "content-type": "application/json",
        "x-shopify-topic": "orders/create",
        "x-shopify-webhook-id": f"fake-{order_id}",
        "x-shopify-hmac-sha256": sign(cfg["secret"], body),
    }
    url = f"{cfg['lading_url'].rstrip('/')}/api/v1/webhooks/storefronts/{cfg['code']}"
    async with httpx.AsyncClient(timeout=10.0) as client:
        answer = await client.post(url, content=body, headers=headers)
    if answer.status_code == 200:  # Lading has it: the shop keeps the order's lines
        app.state.shop.add_order(order_id, {x["id"]: x["quantity"] for x in payload["line_items"]})
    log.info("fake_shop.order_sent", extra={"order_id": order_id, "status": answer.status_code})
    return {"order_id": order_id, "lading_status": answer.status_code, "lading": _json(answer)}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def answer(shop: FakeShop, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of one GraphQL document, by its operation name."""
    name = (_OPERATION.search(query) or [None, ""])[1]
    if name in ("LadingFulfilmentState", "LadingOrderFulfilments", "LadingOrderCancelled"):
        return {"order": shop.order_data(variables["id"])}
    if name == "LadingFulfilmentLines":
        return {"fulfillment": shop.fulfilment(variables["id"])}
    if name == "LadingFulfil":
        return {"fulfillmentCreate": shop.fulfil(variables["fulfillment"])}
    if name == "LadingFulfilmentEvent":
        return {
            "fulfillmentEventCreate": shop.delivered(variables["fulfillmentEvent"]["fulfillmentId"])
        }
    if name == "LadingCancel":
        order = shop.orders.get(variables["orderId"])
        if order is not None:
            order.cancelled_at = "now"
        return {
            "orderCancel": {
                "job": {"id": "gid://shopify/Job/1", "done": True},
                "orderCancelUserErrors": [],
            }
        }
    if name == "LadingPrimaryLocation":
        return {"location": {"id": LOCATION}}
    if name == "LadingVariantsBySku":
        skus = re.findall(r'sku:"([^"]*)"', variables.get("query", ""))
        return {
            "productVariants": {
                "nodes": [
                    {"sku": s, "inventoryItem": {"id": f"gid://shopify/InventoryItem/{s}"}}
                    for s in skus
                ]
            }
        }
    if name == "LadingSetStock":
        for q in variables["input"]["quantities"]:
            shop.stock[q["inventoryItemId"].rsplit("/", 1)[1]] = int(q["quantity"])
        return {
            "inventorySetQuantities": {
                "inventoryAdjustmentGroup": {"id": "gid://shopify/InventoryAdjustmentGroup/1"},
                "userErrors": [],
            }
        }
    return {}


async def graphql(request: Request) -> Response:
    if request.headers.get("x-shopify-access-token") != request.app.state.config["token"]:
        return JSONResponse({"errors": "[API] Invalid API key or access token"}, status_code=401)
    body = await request.json()
    data = answer(request.app.state.shop, body.get("query", ""), body.get("variables") or {})
    return JSONResponse({"data": data})


async def fake_order(request: Request) -> Response:
    return JSONResponse(await send_order(request.app))


async def fake_state(request: Request) -> Response:
    return JSONResponse(request.app.state.shop.summary())


def create_app(config: dict[str, str], *, seed: int | None = None) -> Starlette:
    """The fake shop's ASGI app (``app.state.shop`` is its :class:`FakeShop`)."""
    app = Starlette(
        routes=[
            Route("/admin/api/{version}/graphql.json", graphql, methods=["POST"]),
            Route("/_fake/order", fake_order, methods=["POST"]),
            Route("/_fake/state", fake_state, methods=["GET"]),
        ]
    )
    app.state.shop = FakeShop()
    app.state.config = config
    app.state.rand = random.Random(seed)
    return app


def serve(port: int, config: dict[str, str], *, send_first: bool = True) -> None:
    """Serve on 127.0.0.1; with ``send_first``, send Lading one order once it is up."""
    import asyncio

    import uvicorn

    app = create_app(config)

    async def main() -> None:
        server = uvicorn.Server(uvicorn.Config(app, host=LOOPBACK, port=port, log_config=None))
        task = asyncio.create_task(server.serve())
        if send_first:
            for _ in range(30):  # Lading starts beside it: wait for it to answer
                await asyncio.sleep(1)
                try:
                    result = await send_order(app)
                except httpx.HTTPError:
                    continue
                if result["lading_status"] != 404:
                    print(json.dumps(result, ensure_ascii=False), flush=True)
                    break
        await task

    asyncio.run(main())
