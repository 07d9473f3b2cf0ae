"""What the fake carrier remembers (its switches, the labels it sold) and the helpers both of
its protocols share."""

from __future__ import annotations

import json
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

LOOPBACK = "127.0.0.1"
CHAOS_FREE_PREFIX = "/_fake"


@dataclass
class Switches:
    latency_ms: int = 0
    fail_rate: float = 0.0
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    stall_s: float = 60.0
    webhook_secret: bytes = b"fake-carrier-secret"
    seed: int | None = None
    # Where /_fake/scan sends the webhook, per protocol (e.g. Lading's
    # /api/v1/webhooks/carriers/<CODE> of the carrier using this fake); unset: not sent.
    webhook_url: str | None = None
    easypost_webhook_url: str | None = None


@dataclass
class FakeLabel:
    tracking_number: str
    service: str
    carrier: str
    price: str
    currency: str
    shipment_id: str = ""
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (status, time, message)
    refunded: bool = False
    # Trackers EasyPost made for the same code apart from the shipment's own (an insured
    # label gets one with no shipment_id); listed before the shipment's tracker.
    other_trackers: list[dict[str, Any]] = field(default_factory=list)
    # A return label (the generic protocol's ``"return": true``, EasyPost's ``is_return``).
    is_return: bool = False


@dataclass
class FakeCarrier:
    """Everything the fake has sold, by idempotency key and by tracking number."""

    switches: Switches
    rng: random.Random
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_key: dict[str, FakeLabel] = field(default_factory=dict)
    labels: dict[str, FakeLabel] = field(default_factory=dict)
    purchases: int = 0

    def sell(self, key: str, label: FakeLabel) -> FakeLabel:
        existing = self.by_key.get(key)
        if existing is not None:
            return existing
        self.purchases += 1
        self.by_key[key] = self.labels[label.tracking_number] = label
        self.scan(label.tracking_number, "label_created", "Label created.")
        return label

    def insure(self, tracking_number: str) -> dict[str, Any]:
        """Insure a label the way EasyPost does: a second tracker of the same code, of no
        shipment, in test mode (its history is the test carrier's canned one)."""
        label = self.labels[tracking_number]
        tracker = {
            "id": "trk_" + secrets.token_hex(8),
            "object": "Tracker",
            "mode": "test",
            "tracking_code": tracking_number,
            "carrier": label.carrier,
            "shipment_id": None,
            "status": "pre_transit",
            "tracking_details": [
                {
                    "object": "TrackingDetail",
                    "message": "Pre-Shipment Info Sent to USPS",
                    "status": "pre_transit",
                    "datetime": "2024-08-27T17:59:00Z",
                }
            ],
        }
        label.other_trackers.insert(0, tracker)
        return tracker

    def scan(self, tracking_number: str, status: str, message: str = "") -> None:
        """Add a tracking event (generic status names; EasyPost's answers translate them)."""
        now = datetime.now(UTC).isoformat()
        self.labels[tracking_number].events.append((status, now, message))


def fake_price(weight_kg: Decimal, base: str) -> str:
    return str((Decimal(base) + weight_kg * Decimal("1.50")).quantize(Decimal("0.01")))


def new_tracking_number(prefix: str) -> str:
    return prefix + secrets.token_hex(8).upper()


def error_response(
    status: int, message: str, code: str | None = None, errors: list[Any] | None = None
) -> JSONResponse:
    """EasyPost's error body: ``{"error": {"code", "message", "errors": [...]}}``."""
    body = {"code": code or str(status), "message": message, "errors": errors or []}
    return JSONResponse({"error": body}, status_code=status)


async def json_body(request: Request) -> dict[str, Any] | None:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def carrier_of(request: Request) -> FakeCarrier:
    carrier: FakeCarrier = request.app.state.carrier
    return carrier
