"""Stock a shop may sell changed: its (connection, SKU) row is marked dirty in the same
transaction — an upsert of its own row, never a row every order touches — and the worker
pushes the current quantities once the debounce has passed (``app.worker.storefronts``).

Available stock moves when stock arrives or is adjusted (``StockArrived``, ``StockMoved``) and
when orders reserve or release it (``OrderAllocated``; cancelled, rejected, short-closed)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from app.domain.events import Event, StockArrived, StockMoved
from app.domain.storefronts.connections import SkuMode
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


async def mark(uow: UnitOfWork, skus: Collection[str]) -> None:
    """Mark ``skus`` dirty for every active connection that sells them."""
    if not skus:
        return
    rows: set[tuple[Any, str]] = set()
    for connection_id, sku_mode in await _selling(uow):
        sold = (
            await uow.storefronts.mapped_skus(connection_id, skus)
            if sku_mode == SkuMode.MAPPING
            else set(skus)
        )
        rows |= {(connection_id, sku) for sku in sold}
    await uow.storefront_calls.mark_dirty(
        sorted(rows, key=lambda r: (str(r[0]), r[1])), datetime.now(UTC)
    )


async def _selling(uow: UnitOfWork) -> list[tuple[Any, str]]:
    """The active connections and how they name SKUs: read on every allocation, so kept in
    the process's read cache (a connection changed elsewhere counts within its seconds)."""

    async def load() -> list[tuple[Any, str]]:
        return [(c.id, c.sku_mode) for c in await uow.storefronts.active()]

    return await uow.cached("storefront_connection", "active", load)


async def on_order_stock_changed(event: Event, uow: UnitOfWork, ctx: Context) -> None:
    """An order reserved or released stock: its SKUs."""
    await mark(uow, {x.sku for x in await uow.orders.lines(event.entity_uuid)})


async def on_stock_arrived(event: StockArrived, uow: UnitOfWork, ctx: Context) -> None:
    products = await uow.products.get_many(event.product_ids)
    await mark(uow, {p.sku for p in products})


async def on_stock_moved(event: StockMoved, uow: UnitOfWork, ctx: Context) -> None:
    after = event.images()[1] or {}
    sku = after.get("sku")
    if isinstance(sku, str):
        await mark(uow, {sku})
