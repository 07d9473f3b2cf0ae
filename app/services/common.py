"""Helpers every master-data use case shares: version checks and audited updates."""

from __future__ import annotations

from typing import Any

from app.domain.auth import Principal
from app.domain.errors import StaleVersion
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.recording import record_change, snapshot


def check_version(row: Any, expected: int) -> None:
    """Optimistic concurrency: ``If-Match`` must name the current version."""
    if row.version != expected:
        raise StaleVersion(
            f"The resource is at version {row.version}, not {expected}; reload and retry."
        )


async def record_created(
    uow: SqlAlchemyUnitOfWork, principal: Principal, entity_type: str, row: Any
) -> None:
    await uow.flush()
    record_change(
        uow,
        principal.actor,
        entity_type,
        row.id,
        "created",
        None,
        snapshot(row),
        event=f"{entity_type}.created",
    )


async def apply_update(
    uow: SqlAlchemyUnitOfWork,
    principal: Principal,
    entity_type: str,
    row: Any,
    changes: dict[str, Any],
    expected_version: int,
) -> None:
    """Check the version, apply ``changes`` and record the before/after images.
    A change that alters nothing writes nothing and keeps the version."""
    check_version(row, expected_version)
    before = snapshot(row)
    changed = False
    for key, value in changes.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    if not changed:
        return
    await uow.flush()
    record_change(
        uow,
        principal.actor,
        entity_type,
        row.id,
        "updated",
        before,
        snapshot(row),
        event=f"{entity_type}.updated",
    )
