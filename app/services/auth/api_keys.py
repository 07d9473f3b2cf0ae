"""Integration API keys: issue, list, revoke. The secret is shown once; only its digest is
stored."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from app.domain.auth import API_KEY_SCOPES, ORDERS_PAYMENT
from app.domain.errors import Violations
from app.domain.events import ApiKeyCreated, ApiKeyRevoked
from app.repositories.base import snapshot
from app.repositories.pagination import PageResult
from app.repositories.users import ApiKey
from app.services.auth.commands import CreateApiKey, RevokeApiKey
from app.services.auth.tokens import API_KEY_PREFIX, digest_api_key
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork

SECRET = {"key_hash"}


@dataclass(frozen=True)
class CreatedApiKey:
    record: ApiKey
    secret: str


def _check(cmd: CreateApiKey) -> None:
    violations = Violations()
    if ORDERS_PAYMENT in cmd.scopes and cmd.channel is None:
        violations.add(
            "channel",
            "required",
            "A key that reports payments is bound to the channel whose orders it reports for.",
        )
    if not cmd.scopes:
        violations.add("scopes", "min_items", "An API key needs at least one scope.")
    for i, scope in enumerate(cmd.scopes):
        if scope not in API_KEY_SCOPES:
            violations.add(f"scopes.{i}", "enum", f"Unknown scope '{scope}'.")
    violations.raise_if_any()


async def create_api_key(cmd: CreateApiKey, uow: UnitOfWork, ctx: Context) -> CreatedApiKey:
    _check(cmd)
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    async with uow:
        record = ApiKey(
            name=cmd.name,
            prefix=secret[:12],
            key_hash=digest_api_key(secret),
            scopes=sorted(set(cmd.scopes)),
            channel=cmd.channel,
            created_by=uuid.UUID(cmd.principal.subject_id),
        )
        uow.api_keys.add(record)
        await uow.flush()
        after = snapshot(record, exclude=SECRET)
        uow.record(ApiKeyCreated(actor=cmd.principal.actor, entity_id=record.id, after=after))
        await uow.commit()
    return CreatedApiKey(record, secret)


async def list_api_keys(uow: UnitOfWork, *, limit: int, cursor: str | None) -> PageResult[ApiKey]:
    async with uow:
        return await uow.api_keys.page(limit=limit, cursor=cursor)


async def revoke_api_key(cmd: RevokeApiKey, uow: UnitOfWork, ctx: Context) -> ApiKey:
    """Revoke at once; revoking twice is harmless (and records nothing)."""
    async with uow:
        record = await uow.api_keys.get_or_raise(cmd.key_id)
        if record.revoked_at is not None:
            return record
        before = snapshot(record, exclude=SECRET)
        record.revoked_at = datetime.now(UTC)
        uow.record(
            ApiKeyRevoked(
                actor=cmd.principal.actor,
                entity_id=record.id,
                before=before,
                after=snapshot(record, exclude=SECRET),
            )
        )
        await uow.commit()
    return record
