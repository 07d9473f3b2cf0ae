"""Invariant 5: every state change writes an audit event and an outbox event, in the same
transaction as the change itself."""

from __future__ import annotations

import uuid
from typing import Any

from app.observability import current_request_id
from app.repositories.base import jsonable, snapshot
from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.uow import SqlAlchemyUnitOfWork

__all__ = ["jsonable", "record_change", "snapshot"]


def record_change(
    uow: SqlAlchemyUnitOfWork,
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
    """Write the audit event and (unless ``event`` is None) the outbox event."""
    uow.add_audit(
        AuditEvent(
            entity_type=entity_type,
            entity_id=str(entity_id),
            action=action,
            actor=actor,
            request_id=current_request_id(),
            before=before,
            after=after,
        )
    )
    if event is not None:
        uow.add_outbox(
            OutboxEvent(
                event_type=event,
                aggregate_type=entity_type,
                aggregate_id=str(entity_id),
                payload=jsonable(payload if payload is not None else (after or before or {})),
            )
        )
