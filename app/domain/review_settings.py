"""The review settings document as stored (JSON) and back: ``ReviewPolicy`` ⇄ JSON.

Decimals are strings, tuples lists, hold codes plain strings. Fields missing from a stored
document (added to the policy after it was stored) take their defaults; fields no longer known
are ignored."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.domain.review import ReviewPolicy

REVIEW_KEY = "review"

FIELDS = {f.name: f for f in dataclasses.fields(ReviewPolicy)}
_DECIMALS = frozenset(
    {"max_discount_percent", "amount_threshold_1", "amount_threshold_2", "return_auto_approve_max"}
)
_TUPLES = frozenset({"enabled_rules", "return_approvers"})


def policy_to_json(policy: ReviewPolicy) -> dict[str, Any]:
    """The stored form: Decimals as strings, tuples as lists, hold codes as plain strings."""
    data: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(policy, name)
        if name in _DECIMALS:
            data[name] = str(value)
        elif name in _TUPLES:
            data[name] = list(value)
        elif name == "release_roles":
            data[name] = {str(code): list(roles) for code, roles in value.items()}
        else:
            data[name] = value
    return data


def coerce(name: str, value: Any) -> Any:
    """One field's JSON (or API) value as ``ReviewPolicy`` holds it."""
    if name in _DECIMALS:
        return Decimal(value) if isinstance(value, str | int) else value
    if name in _TUPLES:
        return tuple(value)
    if name == "release_roles":
        return {str(code): tuple(roles) for code, roles in value.items()}
    return value


def policy_from_json(data: Mapping[str, Any]) -> ReviewPolicy:
    """The inverse of ``policy_to_json``. Fields missing from the document (added to the
    policy after it was stored) take their defaults; fields no longer known are ignored."""
    known = {name: coerce(name, value) for name, value in data.items() if name in FIELDS}
    return ReviewPolicy(**known)
