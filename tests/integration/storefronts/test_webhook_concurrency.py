"""The same shop order delivered many times at once, on PostgreSQL with parallel
connections, becomes exactly one Lading order."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

from sqlalchemy import func, select

from app.repositories.orders import Order
from app.repositories.storefronts import StorefrontInboxEntry
from tests.factories import make_product
from tests.integration.storefronts.support import connect, deliver, shopify_order


async def test_concurrent_redeliveries_make_one_order(pg_client, pg_auth, pg_app) -> None:
    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:6]
    for sku in ("IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK"):
        await make_product(sessionmaker, f"{sku}-{tag}", tax_rate=Decimal(0))
    code = f"pg-{tag}"
    await connect(pg_client, await pg_auth.as_role("admin"), code)
    payload = shopify_order(tag)
    # ten redeliveries of one webhook and ten other webhooks (create, updated) of the order
    answers = await asyncio.gather(
        *[deliver(pg_client, code, payload, "orders/create", "same-id") for _ in range(10)],
        *[deliver(pg_client, code, payload, "orders/updated") for _ in range(10)],
    )
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert len({a.json()["order_id"] for a in answers if a.json()["order_id"]}) == 1
    async with sessionmaker() as session:
        orders = await session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.external_ref == f"{code}:{payload['id']}")
        )
        inbox = await session.scalar(
            select(func.count())
            .select_from(StorefrontInboxEntry)
            .where(StorefrontInboxEntry.webhook_id == "same-id")
        )
    assert orders == 1
    assert inbox == 1


async def test_concurrent_woocommerce_deliveries_make_one_order(pg_client, pg_auth, pg_app) -> None:
    from tests.integration.storefronts.test_woocommerce_webhooks import _order, _shop

    tag = uuid.uuid4().hex[:6]
    code = await _shop(pg_client, pg_app, pg_auth, tag)
    payload = _order()

    def woo(topic: str, webhook_id: str | None = None):
        return deliver(pg_client, code, payload, topic, webhook_id, platform="woocommerce")

    answers = await asyncio.gather(
        *[woo("order.created", "woo-same") for _ in range(10)],
        *[woo("order.updated") for _ in range(10)],
    )
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert len({a.json()["order_id"] for a in answers if a.json()["order_id"]}) == 1
    async with pg_app.state.sessionmaker() as session:
        orders = await session.scalar(
            select(func.count())
            .select_from(Order)
            .where(Order.external_ref == f"{code}:{payload['id']}")
        )
    assert orders == 1
