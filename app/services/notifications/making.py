"""Notification rows made from a context: one per channel of the kind, rendered now in the
recipient's language, pending — or skipped (opted out, no address), or failed when the
template does not render against the real data (it rendered against the sample when saved)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.domain.notifications.kinds import (
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
    Subject,
    channels_of,
)
from app.domain.notifications.recipients import Recipient, customer_recipient, staff_recipient
from app.repositories.customers import Customer
from app.repositories.notifications import NotificationRepository
from app.services.notifications.defaults import Template
from app.services.notifications.rendering import render
from app.services.notifications.templates_store import Templates

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Occasion:
    """What happened, to whom, and what the templates may say about it."""

    kind: NotificationKind
    subject: Subject
    context: Mapping[str, Any]
    language: str
    customer: Customer | None = None  # None: staff (``staff`` holds their addresses)
    staff: tuple[str, ...] = ()
    order_id: uuid.UUID | None = None
    step: int = 0
    outbox_event_id: uuid.UUID | None = None


def recipient_for(occasion: Occasion, channel: NotificationChannel) -> Recipient:
    customer = occasion.customer
    if customer is None:
        return staff_recipient(occasion.staff)
    opted_out = [
        c
        for c, out in (
            (NotificationChannel.EMAIL, customer.email_opt_out),
            (NotificationChannel.SMS, customer.sms_opt_out),
        )
        if out
    ]
    return customer_recipient(customer.contacts, channel, opted_out)


def row_for(occasion: Occasion, channel: NotificationChannel, template: Template) -> dict[str, Any]:
    recipient = recipient_for(occasion, channel)
    now = datetime.now(UTC)
    row: dict[str, Any] = {
        "kind": occasion.kind.value,
        "step": occasion.step,
        "subject_type": occasion.subject.type,
        "subject_id": occasion.subject.id,
        "channel": channel.value,
        "recipient": recipient.address,
        "language": occasion.language,
        "customer_id": occasion.customer.id if occasion.customer else None,
        "order_id": occasion.order_id,
        "outbox_event_id": occasion.outbox_event_id,
        "status": NotificationStatus.PENDING.value,
        "skip_reason": None,
        "next_attempt_at": now,
        "provider_answer": None,
        "sent_at": None,
    }
    try:
        rendered = render(template.subject, template.body, occasion.context)
        row["message_subject"], row["message_body"] = rendered.subject, rendered.body
    except Exception as exc:
        row.update(message_subject=None, message_body="", next_attempt_at=None)
        row.update(status=NotificationStatus.FAILED.value)
        row["provider_answer"] = f"not rendered: {type(exc).__name__}: {exc}"
        return row
    if recipient.skipped is not None:
        row.update(status=NotificationStatus.SKIPPED.value, next_attempt_at=None)
        row["skip_reason"] = recipient.skipped.value
    return row


async def make(repo: NotificationRepository, templates: Templates, occasion: Occasion) -> int:
    """Add the occasion's notifications that do not exist yet; returns how many were added."""
    rows = []
    for channel in channels_of(occasion.kind):
        template = templates.effective(occasion.kind, channel, occasion.language)
        if template is None:
            continue
        rows.append(row_for(occasion, channel, template))
    added = await repo.add_once(rows)
    for row in rows:
        if row["status"] != NotificationStatus.PENDING.value:
            log.info(
                "notification.not_sent",
                extra={
                    "kind": row["kind"],
                    "subject_id": row["subject_id"],
                    "channel": row["channel"],
                    "status": row["status"],
                    "reason": row["skip_reason"] or row["provider_answer"],
                },
            )
    return added
