"""What the stock use cases answer: levels with their derived availability, a recorded
movement with the level it left, and a product's availability across warehouses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.domain.stock import StockPosition, total_position
from app.repositories.stock import MovementView, StockLevel


@dataclass(frozen=True)
class LevelView:
    """One product's stock in one warehouse; ``available`` is derived by the domain."""

    warehouse_id: uuid.UUID
    warehouse: str
    product_id: uuid.UUID
    sku: str
    position: StockPosition
    updated_at: datetime

    @classmethod
    def of(cls, level: StockLevel, warehouse: str, sku: str) -> LevelView:
        position = StockPosition(level.on_hand, level.reserved)
        return cls(level.warehouse_id, warehouse, level.product_id, sku, position, level.updated_at)

    @property
    def on_hand(self) -> Decimal:
        return self.position.on_hand

    @property
    def reserved(self) -> Decimal:
        return self.position.reserved

    @property
    def available(self) -> Decimal:
        return self.position.available


@dataclass(frozen=True)
class RecordedMovement:
    movement: MovementView
    level: LevelView


@dataclass(frozen=True)
class WarehouseStock:
    warehouse_id: uuid.UUID
    warehouse: str
    position: StockPosition


@dataclass(frozen=True)
class Availability:
    product_id: uuid.UUID
    sku: str
    uom: str
    warehouses: list[WarehouseStock]

    @property
    def total(self) -> StockPosition:
        return total_position(w.position for w in self.warehouses)
