"""Stock test helpers: read a level and its ledger, and damage a level on purpose."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.repositories.stock import StockLevel, StockMovement

Sessions = async_sessionmaker[AsyncSession]


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
