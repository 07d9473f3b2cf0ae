"""Idempotency-Key for creates outside the order path (payments, refunds, returns), on the
one mechanism orders use: the ``idempotency_keys`` table (``uow.idempotency``), keyed by caller
and key, holding the request's fingerprint and the resource it created. The same key and body
replay the first answer; the same key with another body is a 409; a twin racing the first
loses on the table's primary key and answers with the winner's resource."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, fields, is_dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal
from app.domain.errors import Conflict
from app.repositories.base import jsonable
from app.repositories.idempotency import IdempotencyRecord
from app.services.unit_of_work import UnitOfWork

_NOT_CONTENT = frozenset({"principal", "idempotency_key"})


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if is_dataclass(value) and not isinstance(value, type):
        return _canonical(asdict(value))
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return jsonable(value)


def fingerprint(resource: str, cmd: Any) -> str:
    """The hash of what a command asks (its resource kind included, since orders share the
    key space): the same body gives the same hash whatever its number formatting."""
    content = {f.name: getattr(cmd, f.name) for f in fields(cmd) if f.name not in _NOT_CONTENT}
    content["resource"] = resource
    canonical = json.dumps(_canonical(content), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def replayed(
    uow: UnitOfWork, principal: Principal, key: str | None, digest: str
) -> uuid.UUID | None:
    """The resource a first request under ``key`` created, or None."""
    if not key:
        return None
    record = await uow.idempotency.get(principal.subject_id, key)
    if record is None:
        return None
    if record.request_hash != digest:
        raise Conflict(
            "This Idempotency-Key was used with a different request body.",
            code="idempotency_key_reused",
        )
    return uuid.UUID(record.resource_id)


async def remember(
    uow: UnitOfWork, principal: Principal, key: str | None, digest: str, resource_id: uuid.UUID
) -> None:
    """Keep the key with what it created; flushed now, so a racing twin stops here."""
    if not key:
        return
    uow.idempotency.add(
        IdempotencyRecord(
            owner=principal.subject_id,
            key=key,
            request_hash=digest,
            resource_id=str(resource_id),
            status_code=201,
            created_at=datetime.now(UTC),
        )
    )
    await uow.flush()
