"""The commands of storefront connections and their webhooks. Column values are plain values
as stored (the secrets in clear, hence out of ``repr``); ``guard`` is the outbound URL rule a
shop's base URL is checked through."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.adapters.outbound import OutboundGuard
from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateStorefrontConnection:
    columns: Mapping[str, Any] = field(repr=False)
    skus: Mapping[str, str] = field(default_factory=dict)
    principal: Principal
    guard: OutboundGuard = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class UpdateStorefrontConnection:
    """The columns given, and only those; ``skus`` (when given) replaces the mapping."""

    connection_id: uuid.UUID
    changes: Mapping[str, Any] = field(repr=False)
    skus: Mapping[str, str] | None = None
    expected_version: int
    principal: Principal
    guard: OutboundGuard = field(compare=False, repr=False)
