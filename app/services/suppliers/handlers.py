"""Supplier commands: create, update (deactivate)."""

from __future__ import annotations

from app.domain.errors import DuplicateKey
from app.repositories.customers import Supplier
from app.services.bus import Context
from app.services.resources import columns_of, create_record, patch_record
from app.services.suppliers.commands import CreateSupplier, UpdateSupplier
from app.services.unit_of_work import UnitOfWork


async def create_supplier(cmd: CreateSupplier, uow: UnitOfWork, ctx: Context) -> Supplier:
    async def check(uow: UnitOfWork) -> None:
        if await uow.suppliers.get_by_code(cmd.code):
            raise DuplicateKey(f"A supplier with code '{cmd.code}' already exists.")

    return await create_record(
        uow,
        lambda u: u.suppliers,
        Supplier(**columns_of(cmd)),
        principal=cmd.principal,
        entity_type="supplier",
        check=check,
    )


async def update_supplier(cmd: UpdateSupplier, uow: UnitOfWork, ctx: Context) -> Supplier:
    return await patch_record(
        uow,
        lambda u: u.suppliers,
        cmd.supplier_id,
        cmd.changes,
        cmd.expected_version,
        principal=cmd.principal,
        entity_type="supplier",
    )
