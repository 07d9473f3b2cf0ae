"""Warehouse commands: create, update (deactivate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import DuplicateKey
from app.repositories.base import jsonable
from app.repositories.warehouses import Warehouse
from app.services.bus import Context
from app.services.resources import columns_of, create_record, patch_record
from app.services.unit_of_work import UnitOfWork
from app.services.warehouses.commands import CreateWarehouse, UpdateWarehouse


def _stored(values: Mapping[str, Any]) -> dict[str, Any]:
    """The address is stored as a JSON document."""
    stored = dict(values)
    if stored.get("address") is not None:
        stored["address"] = jsonable(stored["address"])
    return stored


async def create_warehouse(cmd: CreateWarehouse, uow: UnitOfWork, ctx: Context) -> Warehouse:
    async def check(uow: UnitOfWork) -> None:
        if await uow.warehouses.get_by_code(cmd.code):
            raise DuplicateKey(f"A warehouse with code '{cmd.code}' already exists.")

    return await create_record(
        uow,
        lambda u: u.warehouses,
        Warehouse(**_stored(columns_of(cmd))),
        principal=cmd.principal,
        entity_type="warehouse",
        check=check,
    )


async def update_warehouse(cmd: UpdateWarehouse, uow: UnitOfWork, ctx: Context) -> Warehouse:
    return await patch_record(
        uow,
        lambda u: u.warehouses,
        cmd.warehouse_id,
        _stored(cmd.changes),
        cmd.expected_version,
        principal=cmd.principal,
        entity_type="warehouse",
    )
