"""The commands on webhook endpoints. ``guard`` is the application's outbound URL rule, the
port a URL is checked through when it is saved (tests replace its resolver)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from app.adapters.outbound import OutboundGuard
from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateWebhookEndpoint:
    url: str
    description: str | None
    event_types: Sequence[str]
    principal: Principal
    guard: OutboundGuard = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class UpdateWebhookEndpoint:
    """The fields given, and only those (``url``, ``description``, ``event_types``,
    ``active``)."""

    endpoint_id: uuid.UUID
    changes: Mapping[str, Any]
    expected_version: int
    principal: Principal
    guard: OutboundGuard = field(compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class RotateWebhookSecret:
    """A new secret; the old one still signs beside it for ``overlap``."""

    endpoint_id: uuid.UUID
    overlap: timedelta
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class EnableWebhookEndpoint:
    endpoint_id: uuid.UUID
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class DisableWebhookEndpoint:
    """The worker switches an endpoint off (410 Gone, or failing for too long)."""

    endpoint_id: uuid.UUID
    reason: str
    at: datetime
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class ReplayWebhookEvents:
    """Deliver again one event (``event_id``), or every event of [``start``, ``end``) that
    passes the endpoint's filter, under the same ``webhook-id`` as before."""

    endpoint_id: uuid.UUID
    event_id: uuid.UUID | None
    start: datetime | None
    end: datetime | None
    principal: Principal
