"""Outbound webhook rules (app.domain.webhooks). Signatures are checked with the
``standardwebhooks`` library (the specification's reference implementation), never with our
own code."""

from __future__ import annotations

import base64
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.domain import webhooks as rules


def _headers(secrets: list[str], body: bytes, msg_id: str = "msg_1") -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": rules.signature_header(secrets, msg_id, timestamp, body),
    }


def test_secrets_have_the_specs_form() -> None:
    secret = rules.new_secret()
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 64
    assert rules.new_secret() != secret


def test_a_signature_verifies_with_the_standardwebhooks_library() -> None:
    secret = rules.new_secret()
    body = '{"type":"order.placed","data":{"名称":"上海"}}'.encode()
    headers = _headers([secret], body)
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(body, headers) == {
        "type": "order.placed",
        "data": {"名称": "上海"},
    }
    with pytest.raises(WebhookVerificationError):
        Webhook(rules.new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_during_an_overlap_both_secrets_sign_and_each_verifies() -> None:
    old, new = rules.new_secret(), rules.new_secret()
    now = datetime.now(UTC)
    keys = rules.signing_secrets(new, old, now + timedelta(hours=1), now)
    assert keys == [new, old]
    body = b'{"type":"x"}'
    headers = _headers(keys, body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(body, headers)
    Webhook(old).verify(body, headers)
    after = rules.signing_secrets(new, old, now + timedelta(hours=1), now + timedelta(hours=2))
    assert after == [new]
    late = _headers(after, body)
    Webhook(new).verify(body, late)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(body, late)


@pytest.mark.parametrize(
    ("patterns", "event_type", "expected"),
    [
        (["*"], "order.placed", True),
        (["order.*"], "order.placed", True),
        (["order.*"], "order.payment.updated", True),
        (["order.*"], "orders.placed", False),
        (["order.*"], "order", False),
        (["shipment.delivered"], "shipment.delivered", True),
        (["shipment.delivered"], "shipment.delivered.late", False),
        (["invoice.*", "shipment.delivered"], "invoice.issued", True),
    ],
)
def test_event_type_filters(patterns, event_type, expected) -> None:
    assert rules.matches(patterns, event_type) is expected


def test_bad_filters_name_the_pattern() -> None:
    assert rules.filter_issues(["order.*", "*", "shipment.delivered"]) == []
    issues = rules.filter_issues(["order.*", "Order!", "order.*.x", "*.placed"])
    assert [i.field for i in issues] == ["event_types.1", "event_types.2", "event_types.3"]
    assert {i.rule for i in issues} == {"event_type_pattern"}
    assert rules.filter_issues([])[0].rule == "min_items"


def test_the_retry_schedule_spans_about_a_day_with_jitter() -> None:
    rand = random.Random(7)
    delays = [rules.retry_delay(n, rand) for n in range(1, rules.MAX_ATTEMPTS)]
    assert all(d is not None for d in delays)
    for delay, step in zip(delays, rules.RETRY_SCHEDULE, strict=True):
        assert delay is not None and step * 0.8 <= delay <= step * 1.2
    total = sum((d for d in delays if d is not None), timedelta())
    assert timedelta(hours=20) < total < timedelta(hours=36)
    assert rules.retry_delay(rules.MAX_ATTEMPTS) is None  # the last attempt failed: dead
    # jittered: two workers' retries of the same failure do not fall on the same instant
    assert rules.retry_delay(3, random.Random(1)) != rules.retry_delay(3, random.Random(2))


def test_an_endpoint_is_disabled_on_410_or_after_failing_long_enough() -> None:
    now = datetime.now(UTC)
    day = timedelta(hours=24)
    assert rules.disable_reason(410, now, now, day) is not None
    assert rules.disable_reason(500, now - timedelta(hours=23), now, day) is None
    assert rules.disable_reason(None, now - day, now, day) is not None
    assert rules.disable_reason(500, None, now, day) is None


def test_events_of_one_order_share_an_ordering_key() -> None:
    order = str(uuid.uuid4())
    assert rules.ordering_key("order.placed", "order", order, {}) == f"order:{order}"
    shipped = rules.ordering_key("shipment.confirmed", "shipment", "s-1", {"order_id": order})
    assert shipped == f"order:{order}"
    assert rules.ordering_key("product.created", "product", "p-1", {}) == "product:p-1"


def test_the_webhook_id_is_stable_per_endpoint_and_event() -> None:
    endpoint, event = uuid.uuid4(), uuid.uuid4()
    first = rules.webhook_id(rules.delivery_id(endpoint, event))
    assert first == rules.webhook_id(rules.delivery_id(endpoint, event))
    assert first != rules.webhook_id(rules.delivery_id(uuid.uuid4(), event))
    assert first.startswith("msg_")


def test_the_body_is_the_specs_envelope() -> None:
    import json

    event = uuid.uuid4()
    at = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
    document = json.loads(rules.body(event, "order.placed", at, ("order", "o-1"), {"n": "上"}))
    assert document == {
        "id": str(event),
        "type": "order.placed",
        "timestamp": "2026-12-02T08:30:00Z",
        "subject": {"type": "order", "id": "o-1"},
        "data": {"n": "上"},
    }
    assert rules.excerpt(b"x" * 5000) == "x" * 1024
