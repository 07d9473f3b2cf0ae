"""Supplier use cases: create, read, list, update (deactivate)."""

from __future__ import annotations

import uuid
from typing import Any

from app.domain.auth import Principal
from app.domain.errors import DuplicateKey, NotFound
from app.repositories.customers import Supplier
from app.repositories.pagination import PageResult
from app.schemas.suppliers import SupplierCreate, SupplierUpdate
from app.services.common import apply_update, record_created
from app.services.unit_of_work import UnitOfWork


def _columns(data: SupplierCreate | SupplierUpdate) -> dict[str, Any]:
    given = (
        data.model_fields_set if isinstance(data, SupplierUpdate) else set(type(data).model_fields)
    )
    values = data.model_dump(include=given - {"contacts"})
    # Contacts are stored whole, every field included, so equal lists compare equal.
    values.update(data.model_dump(mode="json", include=given & {"contacts"}))
    return values


async def create_supplier(uow: UnitOfWork, data: SupplierCreate, principal: Principal) -> Supplier:
    async with uow:
        if await uow.suppliers.get_by_code(data.code):
            raise DuplicateKey(f"A supplier with code '{data.code}' already exists.")
        supplier = Supplier(**_columns(data))
        uow.suppliers.add(supplier)
        await record_created(uow, principal, "supplier", supplier)
        await uow.commit()
    return supplier


async def _get(uow: UnitOfWork, supplier_id: uuid.UUID) -> Supplier:
    supplier = await uow.suppliers.get(supplier_id)
    if supplier is None:
        raise NotFound(f"No supplier with id {supplier_id}.")
    return supplier


async def get_supplier(uow: UnitOfWork, supplier_id: uuid.UUID) -> Supplier:
    async with uow:
        return await _get(uow, supplier_id)


async def list_suppliers(
    uow: UnitOfWork,
    *,
    active: bool | None,
    q: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[Supplier]:
    async with uow:
        return await uow.suppliers.page(active=active, q=q, limit=limit, cursor=cursor)


async def update_supplier(
    uow: UnitOfWork,
    supplier_id: uuid.UUID,
    data: SupplierUpdate,
    expected_version: int,
    principal: Principal,
) -> Supplier:
    async with uow:
        supplier = await _get(uow, supplier_id)
        await apply_update(uow, principal, "supplier", supplier, _columns(data), expected_version)
        await uow.commit()
    return supplier
