"""The shape every master-data resource shares (customers, suppliers, products, price lists,
warehouses, exchange rates): get one, list a page, create, patch — each one transaction.

A resource's use cases name its repository with a selector (``lambda uow: uow.customers``),
since the repositories exist only inside ``async with uow``. Created and updated records are
recorded as ``Changed`` events named ``<entity_type>.created`` / ``<entity_type>.updated``,
with the row's column values as the images, here and nowhere else.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import fields
from typing import Any, Protocol, TypeVar

from app.domain.auth import Principal
from app.domain.events import Changed
from app.repositories.base import snapshot
from app.services.common import check_version
from app.services.unit_of_work import UnitOfWork

M = TypeVar("M")
M_co = TypeVar("M_co", covariant=True)
M_contra = TypeVar("M_contra", contravariant=True)
T = TypeVar("T")
Check = Callable[[M], Awaitable[None]]


class Found(Protocol[M_co]):
    async def get_or_raise(self, row_id: uuid.UUID) -> M_co: ...


class Table(Protocol[M_contra]):
    def add(self, row: M_contra) -> None: ...


def columns_of(command: Any, *, exclude: Iterable[str] = ("principal",)) -> dict[str, Any]:
    """The fields of a create command as column values (without the caller and the like)."""
    skip = set(exclude)
    return {f.name: getattr(command, f.name) for f in fields(command) if f.name not in skip}


async def get_record(
    uow: UnitOfWork, table: Callable[[UnitOfWork], Found[M]], row_id: uuid.UUID
) -> M:
    """One row by id; ``NotFound`` ("No <noun> with id <id>.") when there is none."""
    async with uow:
        return await table(uow).get_or_raise(row_id)


async def list_records(uow: UnitOfWork, page: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """One page of a list (``lambda uow: uow.customers.page(...)``)."""
    async with uow:
        return await page(uow)


async def record_created(
    uow: UnitOfWork,
    principal: Principal,
    entity_type: str,
    row: Any,
    *,
    image: Mapping[str, Any] | None = None,
) -> None:
    """Flush the new row and record its creation (after image: ``image`` or its columns)."""
    await uow.flush()
    uow.record(
        Changed(
            actor=principal.actor,
            entity_id=row.id,
            entity_type=entity_type,
            action="created",
            topic=f"{entity_type}.created",
            after=snapshot(row) if image is None else image,
        )
    )


def record_updated(
    uow: UnitOfWork,
    principal: Principal,
    entity_type: str,
    row_id: uuid.UUID,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> None:
    uow.record(
        Changed(
            actor=principal.actor,
            entity_id=row_id,
            entity_type=entity_type,
            action="updated",
            topic=f"{entity_type}.updated",
            before=before,
            after=after,
        )
    )


def assign(row: Any, changes: Mapping[str, Any]) -> bool:
    """Set the changed values on ``row``; whether any differed."""
    changed = False
    for key, value in changes.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed


async def apply_update(
    uow: UnitOfWork,
    principal: Principal,
    entity_type: str,
    row: Any,
    changes: Mapping[str, Any],
    expected_version: int,
) -> None:
    """Check the version, apply ``changes`` and record the before/after images.
    A change that alters nothing writes nothing and keeps the version."""
    check_version(row, expected_version)
    before = snapshot(row)
    if not assign(row, changes):
        return
    await uow.flush()
    record_updated(uow, principal, entity_type, row.id, before, snapshot(row))


async def create_record(
    uow: UnitOfWork,
    table: Callable[[UnitOfWork], Table[M]],
    row: M,
    *,
    principal: Principal,
    entity_type: str,
    check: Callable[[UnitOfWork], Awaitable[None]] | None = None,
) -> M:
    """Add ``row`` once ``check`` (uniqueness, references) passed, record it, commit."""
    async with uow:
        if check is not None:
            await check(uow)
        table(uow).add(row)
        await record_created(uow, principal, entity_type, row)
        await uow.commit()
    return row


async def patch_record(
    uow: UnitOfWork,
    table: Callable[[UnitOfWork], Found[M]],
    row_id: uuid.UUID,
    changes: Mapping[str, Any],
    expected_version: int,
    *,
    principal: Principal,
    entity_type: str,
    check: Check[M] | None = None,
) -> M:
    """Load the row, let ``check`` judge the change against it, then apply the changes at
    ``expected_version`` (412 otherwise) and commit."""
    async with uow:
        row = await table(uow).get_or_raise(row_id)
        if check is not None:
            await check(row)
        await apply_update(uow, principal, entity_type, row, changes, expected_version)
        await uow.commit()
    return row
