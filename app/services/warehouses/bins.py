"""Bin locations: where each product lives in a warehouse."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.errors import UnknownReference
from app.domain.events import BinLocationSet
from app.domain.locations import BinCode, parse_bin_code
from app.repositories.base import snapshot
from app.repositories.pagination import PageResult
from app.repositories.warehouses import BinLocation
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork
from app.services.warehouses.commands import SetBinLocation


@dataclass(frozen=True)
class PlacedProduct:
    """Where one product lives in one warehouse."""

    warehouse_id: uuid.UUID
    sku: str
    location: BinCode


def _placed(row: BinLocation, sku: str) -> PlacedProduct:
    return PlacedProduct(row.warehouse_id, sku, BinCode(row.zone, row.aisle, row.shelf, row.bin))


async def set_bin_location(cmd: SetBinLocation, uow: UnitOfWork, ctx: Context) -> PlacedProduct:
    """Put (or move) a product's bin in a warehouse."""
    parts = parse_bin_code(cmd.location)
    async with uow:
        await uow.warehouses.get_or_raise(cmd.warehouse_id)
        product = await uow.products.get_by_sku(cmd.sku)
        if product is None:
            raise UnknownReference.on("sku", "exists", f"No product with SKU '{cmd.sku}'.")
        row = await uow.warehouses.get_bin(cmd.warehouse_id, product.id)
        before = snapshot(row) if row else None
        if row is None:
            row = BinLocation(
                warehouse_id=cmd.warehouse_id, product_id=product.id, **parts.as_dict()
            )
            uow.warehouses.add_bin(row)
        else:
            for key, value in parts.as_dict().items():
                setattr(row, key, value)
        await uow.flush()
        uow.record(
            BinLocationSet(
                actor=cmd.principal.actor, entity_id=row.id, before=before, after=snapshot(row)
            )
        )
        await uow.commit()
    return _placed(row, product.sku)


async def list_bin_locations(
    uow: UnitOfWork, warehouse_id: uuid.UUID, *, limit: int, cursor: str | None
) -> PageResult[PlacedProduct]:
    async with uow:
        await uow.warehouses.get_or_raise(warehouse_id)
        page = await uow.warehouses.page_bins(warehouse_id, limit=limit, cursor=cursor)
    return PageResult([_placed(row, sku) for row, sku in page.items], page.next_cursor)
