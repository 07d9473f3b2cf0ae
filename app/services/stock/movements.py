"""Recording a receipt or an adjustment by hand: the guarded level update, the ledger row,
the audit event and the outbox event commit together or not at all."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain.errors import InsufficientStock, Violations
from app.domain.events import StockArrived, StockMoved
from app.domain.stock import (
    StockPosition,
    check_quantity_precision,
    insufficient_stock,
    signed_quantity,
)
from app.repositories.base import jsonable, snapshot
from app.repositories.products import Product
from app.repositories.stock import MovementView, StockMovement
from app.repositories.warehouses import Warehouse
from app.services.bus import Context
from app.services.common import retrying
from app.services.stock.commands import RecordMovement
from app.services.stock.lookups import product_by_sku, warehouse_named
from app.services.stock.views import LevelView, RecordedMovement
from app.services.unit_of_work import UnitOfWork


@retrying
async def record_movement(cmd: RecordMovement, uow: UnitOfWork, ctx: Context) -> RecordedMovement:
    """Change on-hand stock by a receipt or an adjustment; an arrival allocates the orders
    waiting for the product in the same transaction (reaction)."""
    delta = signed_quantity(cmd.kind, cmd.quantity, cmd.reason)
    async with uow:
        warehouse, product = await _target(uow, cmd)
        movement = await uow.stock.move(
            warehouse.id,
            product.id,
            delta,
            kind=cmd.kind.value,
            actor=cmd.principal.actor,
            reason=cmd.reason or None,
            reference=cmd.reference or None,
        )
        if movement is None:
            raise await _insufficient(uow, warehouse, product, delta)
        await uow.flush()
        recorded = await _recorded(uow, movement, warehouse, product)
        uow.record(
            StockMoved(
                actor=cmd.principal.actor,
                entity_id=movement.id,
                after=_audit_image(movement, recorded),
            )
        )
        if delta > 0:
            uow.record(
                StockArrived(
                    actor=cmd.principal.actor, entity_id=str(product.id), product_ids=(product.id,)
                )
            )
        await uow.commit()
    return recorded


async def _target(uow: UnitOfWork, cmd: RecordMovement) -> tuple[Warehouse, Product]:
    """The warehouse and product the movement names; both active, the quantity in the
    product's unit precision."""
    warehouse, warehouse_field = await warehouse_named(uow, cmd.warehouse, cmd.warehouse_id)
    product = await product_by_sku(uow, cmd.sku)
    v = Violations()
    if not warehouse.active:
        v.add(warehouse_field, "active", f"Warehouse {warehouse.code} is inactive.")
    if not product.active:
        v.add("sku", "active", f"Product {product.sku} is inactive.")
    v.raise_if_any()
    check_quantity_precision(cmd.quantity, product.uom_precision)
    return warehouse, product


async def _insufficient(
    uow: UnitOfWork, warehouse: Warehouse, product: Product, delta: Decimal
) -> InsufficientStock:
    """The 409 of a movement the guard refused, with the position it found."""
    level = await uow.stock.read_level(warehouse.id, product.id)
    position = StockPosition(level.on_hand, level.reserved) if level else StockPosition()
    return insufficient_stock(product.sku, warehouse.code, position, delta)


async def _recorded(
    uow: UnitOfWork, movement: StockMovement, warehouse: Warehouse, product: Product
) -> RecordedMovement:
    level = await uow.stock.read_level(warehouse.id, product.id)
    assert level is not None, "a successful guarded update leaves a level"
    return RecordedMovement(
        MovementView.of(movement, warehouse.code, product.sku),
        LevelView.of(level, warehouse.code, product.sku),
    )


def _audit_image(movement: StockMovement, recorded: RecordedMovement) -> dict[str, Any]:
    """The movement row, named, with the level it left behind."""
    level = recorded.level
    return snapshot(movement) | {
        "warehouse": recorded.movement.warehouse,
        "sku": recorded.movement.sku,
        "level": jsonable(
            {"on_hand": level.on_hand, "reserved": level.reserved, "available": level.available}
        ),
    }
