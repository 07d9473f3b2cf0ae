"""Outbound webhook endpoints, their deliveries and attempts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from app.schemas.common import Schema
from app.schemas.patch import Patch

Url = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^https?://[^\s]+$", max_length=500)
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
EventType = Annotated[str, StringConstraints(min_length=1, max_length=100)]
EventTypes = Annotated[
    list[EventType],
    Field(
        min_length=1,
        max_length=50,
        description="Event types to receive: exact ('shipment.delivered'), a prefix "
        "('order.*') or '*' for every event.",
    ),
]


def _in_utc(value: datetime) -> datetime:
    """A time with a zone that also exists in UTC (year 1 at +14:00 does not)."""
    try:
        moved = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range") from None
    if not 1900 <= moved.year <= 9000:
        raise ValueError("the time must be between the years 1900 and 9000")
    return moved


Instant = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class WebhookEndpointCreate(Schema):
    url: Url = Field(description="https URL receiving POSTs (not a private address)")
    description: Description | None = None
    event_types: EventTypes


class WebhookEndpointUpdate(Schema):
    """Fields left out stay as they are; a new ``url`` gets a new secret (answered once)."""

    url: Patch[Url] = None
    description: Description | None = None
    event_types: Patch[EventTypes] = None
    active: Patch[bool] = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class WebhookEndpointRead(Schema):
    """An endpoint; its secret is never shown again after it was made."""

    id: uuid.UUID
    url: str
    description: str | None
    event_types: list[str]
    active: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    failing_since: datetime | None
    previous_secret_until: datetime | None = Field(
        description="Until when the previous secret still signs beside the current one"
    )
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    updated_by: str


class WebhookEndpointWithSecret(WebhookEndpointRead):
    """An endpoint with its new secret: shown in this answer only."""

    secret: str = Field(description="whsec_… (Standard Webhooks); store it now")


class WebhookEndpointUpdated(WebhookEndpointRead):
    secret: str | None = Field(
        description="The new secret when the URL changed (shown in this answer only), else null"
    )


class SecretRotation(Schema):
    overlap_hours: float | None = Field(
        default=None,
        ge=0,
        le=720,
        description="How long the old secret still signs beside the new one "
        "(default LADING_WEBHOOK_SECRET_OVERLAP_HOURS; 0 stops it at once)",
    )


class ReplayRequest(Schema):
    """One event (``event_id``), or every event of a time range (``from`` ≤ t < ``to``) that
    passes the endpoint's filter."""

    event_id: uuid.UUID | None = None
    start: Instant | None = Field(default=None, alias="from")
    end: Instant | None = Field(default=None, alias="to")


class ReplayRead(Schema):
    replayed: int = Field(description="Deliveries due again (each under its webhook-id)")


class WebhookAttemptRead(Schema):
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None = Field(description="The answer's first KiB")


class WebhookDeliveryRead(Schema):
    id: uuid.UUID
    webhook_id: str = Field(description="The webhook-id header of every attempt")
    event_id: uuid.UUID
    event_type: str
    ordering_key: str
    status: str = Field(description="pending, delivered or dead")
    attempts: int
    next_attempt_at: datetime
    last_status: str | None
    created_at: datetime
    delivered_at: datetime | None


class WebhookDeliveryDetail(WebhookDeliveryRead):
    attempts_log: list[WebhookAttemptRead] = Field(description="The latest 100 attempts")
