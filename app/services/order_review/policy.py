"""Review settings: the ``ReviewPolicy`` an admin changes through the API, stored as JSON.

Versions: when nothing is stored yet the defaults are in force at version 0, so ``GET`` answers
``ETag: "0"`` and the first ``PUT`` must send ``If-Match: "0"``; it creates the record at
version 1. Every later change raises the version by one. A change that alters nothing writes
nothing and keeps the version (also at version 0).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from app.domain.auth import Principal, Role
from app.domain.errors import RuleViolation, StaleVersion
from app.domain.events import ReviewSettingsUpdated
from app.domain.review import ReviewPolicy
from app.domain.review_settings import (
    FIELDS,
    REVIEW_KEY,
    coerce,
    policy_from_json,
    policy_to_json,
)
from app.repositories.settings import SettingRecord
from app.repositories.uow import is_unique_violation
from app.services.bus import Context
from app.services.order_review.commands import UpdateReviewSettings
from app.services.unit_of_work import UnitOfWork

DEFAULTS_VERSION = 0


async def load_review_policy(uow: UnitOfWork) -> ReviewPolicy:
    """The review policy in force, read in an already-entered unit of work (defaults if none);
    kept briefly in the process (a change elsewhere applies within LADING_READ_CACHE_SECONDS)."""

    async def load() -> ReviewPolicy:
        record = await uow.settings.get(REVIEW_KEY)
        return ReviewPolicy() if record is None else policy_from_json(record.value)

    return await uow.cached("settings", REVIEW_KEY, load)


async def get_review_settings(uow: UnitOfWork) -> tuple[ReviewPolicy, int]:
    """The review policy and its version (0 while the defaults are in force)."""
    async with uow:
        record = await uow.settings.get(REVIEW_KEY)
        if record is None:
            return ReviewPolicy(), DEFAULTS_VERSION
        return policy_from_json(record.value), record.version


def _merge(current: ReviewPolicy, changes: Mapping[str, Any]) -> ReviewPolicy:
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise RuleViolation.on(unknown[0], "unknown_field", f"No review setting '{unknown[0]}'.")
    return dataclasses.replace(
        current, **{name: coerce(name, value) for name, value in changes.items()}
    )


async def update_review_settings(
    cmd: UpdateReviewSettings, uow: UnitOfWork, ctx: Context
) -> tuple[ReviewPolicy, int]:
    """Merge the changes into the policy in force, validate the result, store and audit it."""
    async with uow:
        record = await uow.settings.get(REVIEW_KEY)
        current = ReviewPolicy() if record is None else policy_from_json(record.value)
        version = DEFAULTS_VERSION if record is None else record.version
        if version != cmd.expected_version:
            raise StaleVersion(
                f"The review settings are at version {version}, not {cmd.expected_version}; "
                "reload and retry."
            )
        policy = _merge(current, cmd.changes)
        policy.validate(frozenset(r.value for r in Role))
        before, after = policy_to_json(current), policy_to_json(policy)
        if after == before:
            return current, version
        new_version = await _store(uow, record, after, cmd.principal)
        uow.record(
            ReviewSettingsUpdated(
                actor=cmd.principal.actor, entity_id=REVIEW_KEY, before=before, after=after
            )
        )
        await uow.commit()
    return policy, new_version


async def _store(
    uow: UnitOfWork, record: SettingRecord | None, value: dict[str, Any], principal: Principal
) -> int:
    """Write the policy (the first write creates the record) and answer its new version."""
    if record is None:
        record = SettingRecord(key=REVIEW_KEY, value=value, updated_by=principal.actor)
        uow.settings.add(record)
    else:
        record.value = value
        record.updated_by = principal.actor
    try:
        await uow.flush()
    except Exception as exc:
        # Two first writes at version 0 raced and this one lost the primary key.
        if is_unique_violation(exc):
            raise StaleVersion(
                "The review settings were changed by someone else meanwhile; reload and retry."
            ) from exc
        raise
    return record.version
