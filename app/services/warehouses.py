"""Warehouse use cases: create, read, list, update (deactivate), bin locations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from app.domain.auth import Principal
from app.domain.errors import DuplicateKey, NotFound, UnknownReference
from app.domain.locations import BinCode, parse_bin_code
from app.repositories.pagination import PageResult
from app.repositories.warehouses import BinLocation, Warehouse
from app.schemas.warehouses import WarehouseCreate, WarehouseUpdate
from app.services.common import apply_update, record_created
from app.services.recording import jsonable, record_change, snapshot
from app.services.unit_of_work import UnitOfWork


def _columns(data: WarehouseCreate | WarehouseUpdate) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=True)
    if "address" in values and values["address"] is not None:
        values["address"] = jsonable(values["address"])
    return values


async def create_warehouse(
    uow: UnitOfWork, data: WarehouseCreate, principal: Principal
) -> Warehouse:
    async with uow:
        if await uow.warehouses.get_by_code(data.code):
            raise DuplicateKey(f"A warehouse with code '{data.code}' already exists.")
        warehouse = Warehouse(**_columns(data))
        uow.warehouses.add(warehouse)
        await record_created(uow, principal, "warehouse", warehouse)
        await uow.commit()
    return warehouse


async def _get(uow: UnitOfWork, warehouse_id: uuid.UUID) -> Warehouse:
    warehouse = await uow.warehouses.get(warehouse_id)
    if warehouse is None:
        raise NotFound(f"No warehouse with id {warehouse_id}.")
    return warehouse


async def get_warehouse(uow: UnitOfWork, warehouse_id: uuid.UUID) -> Warehouse:
    async with uow:
        return await _get(uow, warehouse_id)


async def list_warehouses(
    uow: UnitOfWork,
    *,
    active: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Warehouse]:
    async with uow:
        return await uow.warehouses.page(active=active, q=q, limit=limit, cursor=cursor)


async def update_warehouse(
    uow: UnitOfWork,
    warehouse_id: uuid.UUID,
    data: WarehouseUpdate,
    expected_version: int,
    principal: Principal,
) -> Warehouse:
    async with uow:
        warehouse = await _get(uow, warehouse_id)
        await apply_update(uow, principal, "warehouse", warehouse, _columns(data), expected_version)
        await uow.commit()
    return warehouse


@dataclass(frozen=True)
class PlacedProduct:
    """Where one product lives in one warehouse."""

    warehouse_id: uuid.UUID
    sku: str
    location: BinCode


def _placed(row: BinLocation, sku: str) -> PlacedProduct:
    return PlacedProduct(row.warehouse_id, sku, BinCode(row.zone, row.aisle, row.shelf, row.bin))


async def set_bin_location(
    uow: UnitOfWork,
    warehouse_id: uuid.UUID,
    sku: str,
    location: str,
    principal: Principal,
) -> PlacedProduct:
    """Put (or move) a product's bin in a warehouse."""
    parts = parse_bin_code(location)
    async with uow:
        await _get(uow, warehouse_id)
        product = await uow.products.get_by_sku(sku)
        if product is None:
            raise UnknownReference.on("sku", "exists", f"No product with SKU '{sku}'.")
        row = await uow.warehouses.get_bin(warehouse_id, product.id)
        before = snapshot(row) if row else None
        if row is None:
            row = BinLocation(warehouse_id=warehouse_id, product_id=product.id, **parts.as_dict())
            uow.warehouses.add_bin(row)
        else:
            for key, value in parts.as_dict().items():
                setattr(row, key, value)
        await uow.flush()
        record_change(
            uow,
            principal.actor,
            "bin_location",
            row.id,
            "set",
            before,
            snapshot(row),
            event="bin_location.set",
        )
        await uow.commit()
    return _placed(row, product.sku)


async def list_bin_locations(
    uow: UnitOfWork, warehouse_id: uuid.UUID, *, limit: int, cursor: str | None
) -> PageResult[PlacedProduct]:
    async with uow:
        await _get(uow, warehouse_id)
        page = await uow.warehouses.page_bins(warehouse_id, limit=limit, cursor=cursor)
    return PageResult([_placed(row, sku) for row, sku in page.items], page.next_cursor)
