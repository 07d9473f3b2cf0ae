"""Calls back to the shops, in the worker: the route that turns ``storefront.*`` outbox events
into calls (one per event id), the job that sends due calls through the platform's gateway —
retried with backoff on what may pass (timeouts, 429, 5xx), dead on what will not — and the
job that pushes debounced stock levels in batches. Nothing is sent inside a transaction; every
gateway call is safe to repeat (the shipment number / push id is its key)."""

from __future__ import annotations

import logging
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.storefronts.base import (
    DeliveryNotice,
    FulfilledLine,
    FulfilmentNotice,
    StorefrontAccess,
    StorefrontError,
    StorefrontGateway,
)
from app.adapters.storefronts.base import (
    StockLevel as ShopStock,
)
from app.adapters.storefronts.registry import gateway_for
from app.domain.retry import next_retry
from app.domain.storefronts.connections import SkuMode
from app.repositories.events import OutboxEvent
from app.repositories.storefront_calls import StorefrontCallRepository
from app.repositories.storefront_repo import StorefrontRepository
from app.repositories.storefronts import StorefrontCall, StorefrontConnection
from app.settings import Settings
from app.worker.jobs import WorkerContext

log = logging.getLogger(__name__)
KINDS = {
    "storefront.fulfilment": "fulfil",
    "storefront.delivery": "delivered",
    "storefront.cancel": "cancel",
}
STOCK_BATCH = 100  # SKUs per push (a Shopify inventorySetQuantities call takes 250)
GatewayFor = Any  # (platform, client) -> StorefrontGateway; tests give a fake


async def route_calls(
    session: AsyncSession, events: Sequence[OutboxEvent], settings: Settings
) -> None:
    """Route: one call per ``storefront.*`` event, due at once."""
    now = datetime.now(UTC)
    rows = [
        {
            "id": e.id,
            "connection_id": uuid.UUID(str(e.payload["connection_id"])),
            "kind": KINDS[e.event_type],
            "payload": dict(e.payload),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for e in events
        if e.event_type in KINDS
    ]
    await StorefrontCallRepository(session).add_calls(rows)


def access_of(connection: StorefrontConnection) -> StorefrontAccess:
    return StorefrontAccess(
        platform="woocommerce" if connection.platform == "woocommerce" else "shopify",
        base_url=connection.base_url,
        access_token=connection.access_token,
        consumer_key=connection.consumer_key,
        consumer_secret=connection.consumer_secret,
        api_version=connection.api_version,
        location_id=connection.location_id,
        woocommerce_mode="note" if connection.fulfilment_mode == "note" else "complete",
    )


async def call(
    gateway: StorefrontGateway, connection: StorefrontConnection, row: StorefrontCall
) -> str:
    """Send one call; the platform's answer (a fulfilment id) or a short note."""
    p, access = row.payload, access_of(connection)
    if row.kind == "fulfil":
        notice = FulfilmentNotice(
            order_id=p["order_id"],
            reference=p["reference"],
            lines=[FulfilledLine(x["line_item_id"], int(x["quantity"])) for x in p["lines"]],
            tracking_number=p.get("tracking_number"),
            carrier_name=p.get("carrier_name"),
            tracking_url=p.get("tracking_url"),
            notify_customer=connection.notify_customer,
            complete=bool(p.get("complete", True)),
        )
        return await gateway.fulfil(access, notice)
    if row.kind == "delivered":
        delivery = DeliveryNotice(p["order_id"], p["reference"], p.get("tracking_number"))
        if p.get("event") == "returned":
            delivery = replace(delivery, event="returned")
        await gateway.delivered(access, delivery)
        return str(delivery.event)
    await gateway.cancel(access, p["order_id"], p.get("reason") or "cancelled")
    return "cancelled"


async def send_calls_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    gateways: GatewayFor = gateway_for,
    rand: random.Random | None = None,
) -> int:
    """Send one batch of due calls; how many were tried."""
    now = datetime.now(UTC)
    lease = timedelta(seconds=settings.dispatcher_lease_seconds)
    async with sessionmaker() as session:
        rows = await StorefrontCallRepository(session).claim_due(
            now, settings.dispatcher_batch_size, now + lease
        )
        connections = {
            c.id: c
            for c in await StorefrontRepository(session).get_many({r.connection_id for r in rows})
        }
        await session.commit()
    for row in rows:
        connection = connections.get(row.connection_id)
        outcome = await _attempt(gateways, client, connection, row)
        async with sessionmaker() as session:
            await _settle(StorefrontCallRepository(session), row, outcome, settings, rand)
            await session.commit()
    return len(rows)


async def _attempt(
    gateways: GatewayFor,
    client: httpx.AsyncClient,
    connection: StorefrontConnection | None,
    row: StorefrontCall,
) -> tuple[str | None, str | None, bool]:
    """(result, error, retryable)."""
    if connection is None or not connection.active:
        return None, "the connection is gone or inactive", False
    try:
        return await call(gateways(connection.platform, client), connection, row), None, False
    except StorefrontError as exc:
        return None, f"{exc} (status {exc.status})", exc.retryable
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}", True


async def _settle(
    repo: StorefrontCallRepository,
    row: StorefrontCall,
    outcome: tuple[str | None, str | None, bool],
    settings: Settings,
    rand: random.Random | None,
) -> None:
    result, error, retryable = outcome
    now = datetime.now(UTC)
    attempts = row.attempts + 1
    if error is None:
        await repo.settle(
            row.id,
            status="sent",
            attempts=attempts,
            result=(result or "")[:200],
            sent_at=now,
            next_attempt_at=None,
            last_error=None,
        )
        log.info("storefront.call_sent", extra={"call_id": str(row.id), "kind": row.kind})
        return
    delay = (
        next_retry(row.attempts, settings.dispatcher_max_attempts, rand=rand) if retryable else None
    )
    await repo.settle(
        row.id,
        status="pending" if delay is not None else "dead",
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=now + delay if delay is not None else None,
    )
    log.warning(
        "storefront.call_failed",
        extra={"call_id": str(row.id), "kind": row.kind, "error": error, "dead": delay is None},
    )


async def push_stock_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    gateways: GatewayFor = gateway_for,
) -> int:
    """Push the current available quantity of every SKU dirty for longer than the debounce,
    per shop in batches; how many SKUs were pushed. A failed push leaves its rows for the
    next round."""
    now = datetime.now(UTC)
    due_before = now - timedelta(seconds=settings.storefront_stock_debounce_seconds)
    async with sessionmaker() as session:
        calls = StorefrontCallRepository(session)
        dirty = await calls.due_dirty(due_before, STOCK_BATCH * 10)
        per_shop: dict[uuid.UUID, list[str]] = defaultdict(list)
        for connection_id, sku, _ in dirty:
            per_shop[connection_id].append(sku)
        shops = StorefrontRepository(session)
        connections = {c.id: c for c in await shops.get_many(per_shop)}
        batches = []
        for connection_id, skus in per_shop.items():
            connection = connections[connection_id]
            warehouses = [uuid.UUID(w) for w in connection.warehouse_ids]
            available = await calls.available(skus, warehouses)
            keys = (
                await shops.platform_keys(connection_id, skus)
                if connection.sku_mode == SkuMode.MAPPING
                else {}
            )
            levels = [ShopStock(keys.get(s, s), available.get(s, Decimal(0))) for s in skus]
            batches.append((connection, skus, levels))
        await session.commit()
    pushed = 0
    for connection, skus, levels in batches:
        for start in range(0, len(levels), STOCK_BATCH):
            part = levels[start : start + STOCK_BATCH]
            if await _push(gateways, client, connection, part, now):
                async with sessionmaker() as session:
                    await StorefrontCallRepository(session).clear_dirty(
                        connection.id, skus[start : start + STOCK_BATCH], now
                    )
                    await session.commit()
                pushed += len(part)
    return pushed


async def _push(
    gateways: GatewayFor,
    client: httpx.AsyncClient,
    connection: StorefrontConnection,
    levels: list[ShopStock],
    now: datetime,
) -> bool:
    if not connection.active:
        return True  # nothing to tell a shop that is switched off: forget the rows
    push_id = f"{connection.code}-{int(now.timestamp())}-{levels[0].sku}"[:64]
    try:
        result = await gateways(connection.platform, client).set_stock(
            access_of(connection), levels, push_id=push_id
        )
    except (StorefrontError, httpx.HTTPError) as exc:
        log.warning(
            "storefront.stock_push_failed", extra={"connection": connection.code, "error": str(exc)}
        )
        return False
    if result.unknown:
        log.info(
            "storefront.stock_unknown_skus",
            extra={"connection": connection.code, "skus": list(result.unknown)},
        )
    return True


async def send_calls(ctx: WorkerContext) -> bool:
    """Job step: due calls back to shops, then due stock pushes."""
    tried = await send_calls_once(ctx.sessionmaker, ctx.http, ctx.settings)
    await push_stock_once(ctx.sessionmaker, ctx.http, ctx.settings)
    return tried >= ctx.settings.dispatcher_batch_size
