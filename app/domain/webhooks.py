"""Outbound webhooks after the Standard Webhooks specification
(https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
event-type filters, secrets, signatures, the message id, the body, the retry schedule and when
an endpoint is switched off. Pure rules; the worker and the admin API apply them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from app.domain.errors import FieldIssue

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32  # the spec allows 24 to 64 random bytes
_TYPE = r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*"
_FILTER = re.compile(rf"^(\*|{_TYPE}|{_TYPE}\.\*)$")
MAX_FILTERS = 50

# The spec's suggested schedule after the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
# 10 h (about 28 hours in all), each waited ±20 % so many failed deliveries spread out.
RETRY_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
JITTER = 0.2
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
GONE = 410
# Namespace of the deliveries' ids: one per (endpoint, event), the same on every retry and
# replay, so the ``webhook-id`` header lets receivers drop what they already processed.
DELIVERY_NAMESPACE = uuid.UUID("8f0c5bb4-4ad4-4f58-9a8e-3c1f0a2d6b11")


def filter_issues(patterns: Sequence[str], field: str = "event_types") -> list[FieldIssue]:
    """The broken rules of an event-type filter: one to ``MAX_FILTERS`` patterns, each ``*``
    (every event), an exact type (``shipment.delivered``) or a prefix (``order.*``)."""
    if not patterns:
        return [FieldIssue(field, "min_items", "Give at least one event type (or '*').")]
    if len(patterns) > MAX_FILTERS:
        return [FieldIssue(field, "max_items", f"At most {MAX_FILTERS} event types.")]
    return [
        FieldIssue(
            f"{field}.{index}",
            "event_type_pattern",
            f"'{pattern}' is not an event type, a prefix like 'order.*' or '*'.",
        )
        for index, pattern in enumerate(patterns)
        if not _FILTER.match(pattern)
    ]


def matches(patterns: Iterable[str], event_type: str) -> bool:
    """Whether ``event_type`` passes the filter (``order.*`` takes ``order.placed`` and
    ``order.payment.updated``, not ``orders.x``)."""
    for pattern in patterns:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def new_secret(token: Callable[[int], bytes] = secrets.token_bytes) -> str:
    """A fresh secret in the spec's form: ``whsec_`` and the base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(token(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a secret: its base64 part, decoded."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` keyed with the secret."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(secrets_: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: one signature per secret, space-separated (during a
    rotation's overlap the new and the old secret both sign)."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets_)


def signing_secrets(
    secret: str, previous: str | None, previous_until: datetime | None, now: datetime
) -> list[str]:
    """The current secret, and the previous one while its overlap window lasts."""
    if previous and previous_until is not None and now < previous_until:
        return [secret, previous]
    return [secret]


def delivery_id(endpoint_id: uuid.UUID, event_id: uuid.UUID) -> uuid.UUID:
    """The id of the delivery of one event to one endpoint (stable: a name-based UUID)."""
    return uuid.uuid5(DELIVERY_NAMESPACE, f"{endpoint_id}/{event_id}")


def webhook_id(delivery: uuid.UUID) -> str:
    """The ``webhook-id`` header: the same on every retry and replay of the delivery."""
    return f"msg_{delivery.hex}"


def ordering_key(
    event_type: str, aggregate_type: str, aggregate_id: str, payload: Mapping[str, Any]
) -> str:
    """What events are kept in order by: the order when the event concerns one (an order's
    own events, or a shipment or invoice event naming its ``order_id``), else its record."""
    if aggregate_type == "order":
        return f"order:{aggregate_id}"
    order_id = payload.get("order_id")
    if isinstance(order_id, str) and order_id:
        return f"order:{order_id}"
    return f"{aggregate_type}:{aggregate_id}"[:100]


def body(
    event_id: uuid.UUID,
    event_type: str,
    occurred_at: datetime,
    subject: tuple[str, str],
    data: Mapping[str, Any],
) -> bytes:
    """The JSON body: ``{"id", "type", "timestamp", "subject": {"type", "id"}, "data"}`` —
    the spec's ``type``/``timestamp``/``data`` envelope, with the event id and the record it
    is about. Compact UTF-8, the same bytes on every retry."""
    document = {
        "id": str(event_id),
        "type": event_type,
        "timestamp": occurred_at.isoformat().replace("+00:00", "Z"),
        "subject": {"type": subject[0], "id": subject[1]},
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def retry_delay(attempts_so_far: int, rand: random.Random | None = None) -> timedelta | None:
    """The wait after failed attempt number ``attempts_so_far`` (1-based); ``None`` after
    the last one (the delivery is dead)."""
    if attempts_so_far < 1 or attempts_so_far > len(RETRY_SCHEDULE):
        return None
    step = RETRY_SCHEDULE[attempts_so_far - 1]
    return step * (rand or random).uniform(1 - JITTER, 1 + JITTER)


def succeeded(status: int | None) -> bool:
    """A 2xx answer is a delivery; anything else (or no answer) a failure."""
    return status is not None and 200 <= status < 300


def disable_reason(
    status: int | None, failing_since: datetime | None, now: datetime, disable_after: timedelta
) -> str | None:
    """Why a failed attempt switches its endpoint off, or ``None``: at once on 410 Gone (the
    receiver says it will never want them), or when every attempt failed for
    ``disable_after``."""
    if status == GONE:
        return "The endpoint answered 410 Gone."
    if failing_since is not None and now - failing_since >= disable_after:
        hours = disable_after.total_seconds() / 3600
        return f"Every delivery failed for {hours:g} hours."
    return None


def excerpt(text: bytes, limit: int = 1024) -> str:
    """At most ``limit`` bytes of an answer, as text (for the attempt log)."""
    return text[:limit].decode("utf-8", errors="replace")
