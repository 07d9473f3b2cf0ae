"""Transitional: ``record_change`` records a generic ``Changed`` event; the unit of work
writes its audit and outbox rows (``UnitOfWork._write``). New code records a
specific event from ``app.domain.events`` instead."""

from __future__ import annotations

import uuid
from typing import Any

from app.domain.events import Changed
from app.repositories.base import jsonable, snapshot
from app.services.unit_of_work import UnitOfWork

__all__ = ["jsonable", "record_change", "snapshot"]


def record_change(
    uow: UnitOfWork,
    actor: str,
    entity_type: str,
    entity_id: uuid.UUID | str,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    event: str | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    uow.record(
        Changed(
            actor=actor,
            entity_id=entity_id,
            entity_type=entity_type,
            action=action,
            topic=event,
            before=before,
            after=after,
            payload=payload,
        )
    )
