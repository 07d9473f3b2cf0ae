"""Builders for stock tests: products and warehouses straight through the ORM (committed into
whatever the sessionmaker is bound to), and reads of the level and the ledger."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.repositories.products import Product
from app.repositories.stock import StockLevel, StockMovement
from app.repositories.warehouses import Warehouse

Sessions = async_sessionmaker[AsyncSession]


async def create_product(sessions: Sessions, **overrides: Any) -> Product:
    values: dict[str, Any] = {
        "sku": f"SKU-{uuid.uuid4().hex[:8]}",
        "name": "M8 bolt",
        "currency": "CNY",
        "list_price": Decimal("1.20"),
        "uom": "pcs",
        "uom_precision": 0,
        "substitutes": [],
        "version": 1,
    }
    values.update(overrides)
    async with sessions() as session:
        product = Product(**values)
        session.add(product)
        await session.commit()
    return product


async def create_warehouse(sessions: Sessions, **overrides: Any) -> Warehouse:
    values: dict[str, Any] = {
        "code": f"WH-{uuid.uuid4().hex[:8]}",
        "name": "Shanghai DC",
        "priority": 100,
        "version": 1,
    }
    values.update(overrides)
    async with sessions() as session:
        warehouse = Warehouse(**values)
        session.add(warehouse)
        await session.commit()
    return warehouse


async def level_and_ledger(
    sessions: Sessions, warehouse_id: uuid.UUID, product_id: uuid.UUID
) -> tuple[Decimal | None, Decimal | None, Decimal, int]:
    """(on_hand, reserved, ledger sum, movement count) of one pair, read from the database."""
    async with sessions() as session:
        level = (
            await session.execute(
                select(StockLevel.on_hand, StockLevel.reserved).where(
                    StockLevel.warehouse_id == warehouse_id, StockLevel.product_id == product_id
                )
            )
        ).first()
        total, count = (
            await session.execute(
                select(func.coalesce(func.sum(StockMovement.quantity), 0), func.count()).where(
                    StockMovement.warehouse_id == warehouse_id,
                    StockMovement.product_id == product_id,
                )
            )
        ).one()
    on_hand, reserved = (level[0], level[1]) if level else (None, None)
    return on_hand, reserved, Decimal(total), count


async def force_level(
    sessions: Sessions, warehouse_id: uuid.UUID, product_id: uuid.UUID, **values: Any
) -> None:
    """A raw UPDATE of a level that bypasses the ledger (to simulate a reservation, or damage)."""
    async with sessions() as session:
        await session.execute(
            update(StockLevel)
            .where(StockLevel.warehouse_id == warehouse_id, StockLevel.product_id == product_id)
            .values(**values)
        )
        await session.commit()
