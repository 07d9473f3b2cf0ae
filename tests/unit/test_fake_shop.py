"""The demo's fake Shopify shop answers the real Shopify adapter: a fulfilment (once, even
when sent again), a delivery event and a stock push."""

from __future__ import annotations

import random
from decimal import Decimal

import httpx

from app.adapters.storefronts.base import (
    DeliveryNotice,
    FulfilledLine,
    FulfilmentNotice,
    StockLevel,
    StorefrontAccess,
)
from app.adapters.storefronts.shopify import ShopifyGateway
from app.fake_shop.server import create_app, order_payload

TOKEN = "shpat_t"


async def test_the_fake_shop_takes_a_fulfilment_a_delivery_and_stock() -> None:
    app = create_app({"lading_url": "", "code": "X", "secret": "s", "token": TOKEN}, seed=1)
    payload = order_payload(42, random.Random(1))
    app.state.shop.add_order(42, {x["id"]: x["quantity"] for x in payload["line_items"]})
    access = StorefrontAccess(platform="shopify", base_url="http://shop", access_token=TOKEN)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport) as client:
        gateway = ShopifyGateway(client)
        notice = FulfilmentNotice(
            order_id="42",
            reference="SH-2026-000001",
            lines=[FulfilledLine(str(x["id"]), x["quantity"]) for x in payload["line_items"]],
            tracking_number="SF123",
            carrier_name="SF",
            tracking_url="http://lading/track/t",
        )
        first = await gateway.fulfil(access, notice)
        again = await gateway.fulfil(access, notice)
        await gateway.delivered(access, DeliveryNotice("42", "SH-2026-000001", "SF123"))
        pushed = await gateway.set_stock(access, [StockLevel("SCR-001", Decimal("7"))])
    state = app.state.shop.summary()
    (fulfilment,) = state["orders"]["gid://shopify/Order/42"]["fulfilments"]
    assert first == again == fulfilment["id"]
    assert fulfilment["tracking"] == ["SF123"] and fulfilment["status"] == "DELIVERED"
    assert sum(fulfilment["lines"].values()) == sum(x["quantity"] for x in payload["line_items"])
    assert state["stock"] == {"SCR-001": 7} and list(pushed.updated) == ["SCR-001"]
