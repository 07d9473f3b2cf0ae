"""The warehouse and the product a stock request names, or a 422 naming the field."""

from __future__ import annotations

import uuid

from app.domain.errors import RuleViolation, UnknownReference
from app.repositories.products import Product
from app.repositories.warehouses import Warehouse
from app.services.unit_of_work import UnitOfWork


async def warehouse_named(
    uow: UnitOfWork, code: str | None, warehouse_id: uuid.UUID | None
) -> tuple[Warehouse, str]:
    """The warehouse named by code or id (both: they must agree), and the field that named it."""
    if warehouse_id is None:
        if code is None:
            raise RuleViolation.on(
                "warehouse", "required", "Give the warehouse code or warehouse_id."
            )
        return await warehouse_by_code(uow, code), "warehouse"
    by_id = await uow.warehouses.get(warehouse_id)
    if by_id is None:
        raise UnknownReference.on("warehouse_id", "exists", f"No warehouse with id {warehouse_id}.")
    if code is not None and (await warehouse_by_code(uow, code)).id != by_id.id:
        raise RuleViolation.on(
            "warehouse_id", "mismatch", "warehouse and warehouse_id name different warehouses."
        )
    return by_id, "warehouse_id"


async def warehouse_by_code(uow: UnitOfWork, code: str) -> Warehouse:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on("warehouse", "exists", f"No warehouse with code '{code}'.")
    return warehouse


async def product_by_sku(uow: UnitOfWork, sku: str) -> Product:
    product = await uow.products.get_by_sku(sku)
    if product is None:
        raise UnknownReference.on("sku", "exists", f"No product with SKU '{sku}'.")
    return product
