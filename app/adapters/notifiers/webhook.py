"""Outbound webhooks over an injected ``httpx.AsyncClient``, signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import asdict

import httpx

from app.adapters.notifiers.base import DeliveryError, OutboundEvent

log = logging.getLogger(__name__)


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``; receivers recompute it."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


class HttpWebhookNotifier:
    """POSTs each event as JSON; the event id doubles as the idempotency key for receivers."""

    def __init__(self, client: httpx.AsyncClient, url: str, secret: bytes) -> None:
        self.client = client
        self.url = url
        self.secret = secret

    async def send(self, event: OutboundEvent) -> None:
        body = json.dumps(asdict(event), ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": event.id,
            "X-Lading-Event-Id": event.id,
            "X-Lading-Event-Type": event.type,
            "X-Lading-Signature": sign(self.secret, timestamp, body),
        }
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 300:
            raise DeliveryError(
                f"webhook answered {response.status_code}", status=response.status_code
            )


class LogNotifier:
    """Used when no webhook URL is configured: the event is logged and counts as sent."""

    async def send(self, event: OutboundEvent) -> None:
        log.info("outbox.event", extra={"event_id": event.id, "event_type": event.type})
