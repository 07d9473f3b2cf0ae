"""Stock use cases: record a manual movement, list movements and levels, availability."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.domain.auth import Principal
from app.domain.errors import RuleViolation, UnknownReference, Violations
from app.domain.events import StockArrived
from app.domain.stock import (
    MovementKind,
    StockPosition,
    check_quantity_precision,
    insufficient_stock,
    signed_quantity,
    total_position,
)
from app.repositories.pagination import PageResult
from app.repositories.products import Product
from app.repositories.stock import MovementView, StockLevel
from app.repositories.warehouses import Warehouse
from app.schemas.stock import StockMovementCreate
from app.services.common import retrying
from app.services.recording import jsonable, record_change, snapshot
from app.services.unit_of_work import UnitOfWork


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


async def _warehouse(
    uow: UnitOfWork, code: str | None, warehouse_id: uuid.UUID | None
) -> tuple[Warehouse, str]:
    """The warehouse named by code or id (both: they must agree), and the field that named it."""
    if warehouse_id is None:
        if code is None:
            raise RuleViolation.on(
                "warehouse", "required", "Give the warehouse code or warehouse_id."
            )
        return await _warehouse_by_code(uow, code), "warehouse"
    by_id = await uow.warehouses.get(warehouse_id)
    if by_id is None:
        raise UnknownReference.on("warehouse_id", "exists", f"No warehouse with id {warehouse_id}.")
    if code is not None and (await _warehouse_by_code(uow, code)).id != by_id.id:
        raise RuleViolation.on(
            "warehouse_id", "mismatch", "warehouse and warehouse_id name different warehouses."
        )
    return by_id, "warehouse_id"


async def _warehouse_by_code(uow: UnitOfWork, code: str) -> Warehouse:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on("warehouse", "exists", f"No warehouse with code '{code}'.")
    return warehouse


async def _product(uow: UnitOfWork, sku: str) -> Product:
    product = await uow.products.get_by_sku(sku)
    if product is None:
        raise UnknownReference.on("sku", "exists", f"No product with SKU '{sku}'.")
    return product


@retrying
async def record_movement(
    uow: UnitOfWork, data: StockMovementCreate, principal: Principal
) -> RecordedMovement:
    """Change on-hand stock by a receipt or an adjustment: the guarded level update, the ledger
    row, the audit event and the outbox event commit together or not at all."""
    delta = signed_quantity(MovementKind(data.kind), data.quantity, data.reason)
    async with uow:
        warehouse, warehouse_field = await _warehouse(uow, data.warehouse, data.warehouse_id)
        product = await _product(uow, data.sku)
        v = Violations()
        if not warehouse.active:
            v.add(warehouse_field, "active", f"Warehouse {warehouse.code} is inactive.")
        if not product.active:
            v.add("sku", "active", f"Product {product.sku} is inactive.")
        v.raise_if_any()
        check_quantity_precision(data.quantity, product.uom_precision)

        movement = await uow.stock.move(
            warehouse.id,
            product.id,
            delta,
            kind=data.kind,
            actor=principal.actor,
            reason=data.reason or None,
            reference=data.reference or None,
        )
        if movement is None:
            level = await uow.stock.read_level(warehouse.id, product.id)
            position = StockPosition(level.on_hand, level.reserved) if level else StockPosition()
            raise insufficient_stock(product.sku, warehouse.code, position, delta)
        await uow.flush()
        level = await uow.stock.read_level(warehouse.id, product.id)
        assert level is not None, "a successful guarded update leaves a level"
        recorded = RecordedMovement(
            MovementView.of(movement, warehouse.code, product.sku),
            LevelView.of(level, warehouse.code, product.sku),
        )
        after = snapshot(movement) | {
            "warehouse": warehouse.code,
            "sku": product.sku,
            "level": jsonable(
                {
                    "on_hand": recorded.level.on_hand,
                    "reserved": recorded.level.reserved,
                    "available": recorded.level.available,
                }
            ),
        }
        record_change(
            uow,
            principal.actor,
            "stock_movement",
            movement.id,
            "created",
            None,
            after,
            event="stock.moved",
        )
        if delta > 0:
            # Stock arrived: waiting orders of this product are allocated in the same
            # transaction, in priority order.
            uow.record(
                StockArrived(
                    actor=principal.actor, entity_id=str(product.id), product_ids=(product.id,)
                )
            )
        await uow.commit()
    return recorded


async def list_movements(
    uow: UnitOfWork,
    *,
    warehouse: str | None,
    sku: str | None,
    kind: str | None,
    reference: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    limit: int,
    cursor: str | None,
) -> PageResult[MovementView]:
    if created_from and created_to and created_to < created_from:
        raise RuleViolation.on(
            "created_to", "not_before_created_from", "created_to is before created_from."
        )
    async with uow:
        warehouse_id = (await _warehouse_by_code(uow, warehouse)).id if warehouse else None
        product_id = (await _product(uow, sku)).id if sku else None
        page = await uow.stock.page_movements(
            warehouse_id=warehouse_id,
            product_id=product_id,
            kind=kind,
            reference=reference,
            created_from=created_from,
            created_to=created_to,
            limit=limit,
            cursor=cursor,
        )
    return PageResult([MovementView.of(*row) for row in page.items], page.next_cursor)


async def list_levels(
    uow: UnitOfWork,
    *,
    warehouse: str | None,
    sku: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[LevelView]:
    async with uow:
        warehouse_id = (await _warehouse_by_code(uow, warehouse)).id if warehouse else None
        product_id = (await _product(uow, sku)).id if sku else None
        page = await uow.stock.page_levels(
            warehouse_id=warehouse_id, product_id=product_id, limit=limit, cursor=cursor
        )
    return PageResult([LevelView.of(*row) for row in page.items], page.next_cursor)


async def availability(uow: UnitOfWork, sku: str) -> Availability:
    """What can be promised of one product in every active warehouse, and in total."""
    async with uow:
        product = await _product(uow, sku)
        rows = await uow.stock.positions_in_active_warehouses(product.id)
    return Availability(
        product.id,
        product.sku,
        product.uom,
        [
            WarehouseStock(wid, code, StockPosition(on_hand, reserved))
            for wid, code, on_hand, reserved in rows
        ],
    )
