"""Notifications: the log, and the templates admins edit."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from app.domain.notifications.kinds import (
    Language,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from app.schemas.common import Schema


class NotificationRead(Schema):
    """One message on one channel: what was sent (or why not), to whom, and the answer."""

    id: uuid.UUID
    kind: NotificationKind
    step: int = Field(description="Days past due of an overdue reminder; 0 otherwise")
    subject_type: str = Field(description="What it is about: order, shipment, invoice, ...")
    subject_id: str
    channel: NotificationChannel
    recipient: str | None
    language: Language
    customer_id: uuid.UUID | None
    order_id: uuid.UUID | None
    message_subject: str | None
    message_body: str
    status: NotificationStatus
    skip_reason: str | None = Field(description="opted_out or no_address when skipped")
    attempts: int
    next_attempt_at: datetime | None
    provider_answer: str | None
    sent_at: datetime | None
    outbox_event_id: uuid.UUID | None
    created_at: datetime


class TemplateRead(Schema):
    kind: NotificationKind
    channel: NotificationChannel
    language: Language
    subject: str | None = Field(description="Email only")
    body: str
    customized: bool = Field(description="An admin's saved template; false: the default")
    updated_at: datetime | None
    updated_by: str | None
    variables: list[str] = Field(description="The variables the template may use")


class TemplateUpdate(Schema):
    """A Jinja2 template (sandboxed, plain text); it must render against the kind's sample."""

    subject: str | None = Field(
        default=None, min_length=1, max_length=1000, description="Required for email; none for SMS"
    )
    body: str = Field(min_length=1, max_length=20_000)


class TemplatePreviewRequest(Schema):
    kind: NotificationKind
    channel: NotificationChannel
    language: Language
    order_id: uuid.UUID = Field(description="The order whose data fills the template")
    subject: str | None = Field(
        default=None, max_length=1000, description="A proposed subject; the saved one if left out"
    )
    body: str | None = Field(
        default=None, max_length=20_000, description="A proposed body; the saved one if left out"
    )


class TemplatePreviewRead(Schema):
    subject: str | None
    body: str
