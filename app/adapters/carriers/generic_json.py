"""A carrier gateway speaking Lading's small generic JSON protocol, for in-house or regional
carriers that put a thin HTTP API in front of their systems.

The protocol (all bodies are JSON, UTF-8; amounts are decimal strings; dates ISO 8601):

``Authorization: Bearer <api key>`` on every request.

``POST /quotes`` with ``{"reference", "destination": {"country", "region"}, "weight_kg",
"goods_classes": [...], "ship_at", "deliver_by"}`` answers 200
``{"rates": [{"service", "price", "currency", "promised_date", "zone"}]}`` (an empty list
when the carrier cannot take the shipment; ``promised_date`` and ``zone`` may be null).

A return shipment (the customer sends the goods back; ``destination`` is then the warehouse
they return to) adds ``"return": true`` to the quote and label bodies; the flag is absent on
ordinary shipments.

``POST /labels`` with an ``Idempotency-Key`` header and the quote body plus ``"service"``,
``"price"``, ``"currency"`` answers 200 or 201 ``{"tracking_number", "service", "price",
"currency", "label": {"content_type", "data_base64"}}``. The same key always answers the same
label: the carrier never sells a second one.

``DELETE /labels/{tracking_number}`` answers 204 (also when the label was already cancelled);
409 when it can no longer be cancelled.

``GET /tracking/{tracking_number}`` answers 200 ``{"tracking_number", "events": [{"id",
"status", "occurred_at", "description"}]}``, oldest first; ``status`` is one of
:data:`STATUSES` and ``occurred_at`` an ISO 8601 time with offset.

Webhooks POSTed to Lading carry the body ``{"id", "tracking_number", "events": [...]}`` (events
as above) and the header ``X-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``
under the shared webhook secret (:func:`sign`).
Signatures older (or further in the future) than the replay window, 300 s by default, are
refused.

Errors: transport failures, timeouts and 5xx answers raise ``CarrierError(retryable=True)``;
4xx answers ``CarrierError(status=<upstream>, retryable=False)``; a body that is not the JSON
described here ``CarrierError(status=502, retryable=False)``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from app.adapters.carriers.base import (
    CarrierError,
    CarrierGateway,
    Label,
    Rate,
    ShipmentFacts,
    TrackingEvent,
    WebhookEvent,
)
from app.adapters.carriers.wire import (
    DEFAULT_TIMEOUT_S,
    Malformed,
    decimal,
    field,
    items,
    lowered,
    optional_date,
    request_json,
    text,
    timestamp,
)
from app.domain.tracking import TrackingStatus

STATUSES = frozenset(status.value for status in TrackingStatus)
REPLAY_WINDOW_S = 300


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``; receivers recompute it."""
    mac = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def parse_signature(header: str) -> tuple[str, str]:
    """``t=<unix>,v1=<hex>`` → ``(t, hex)``; ``ValueError`` when the header is not that."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    t, mac = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or not mac:
        raise ValueError("not a t=<unix>,v1=<hex> signature")
    return t, mac


class GenericJsonGateway:
    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str = "",
        *,
        api_key: str,
        webhook_secret: bytes,
        carrier_code: str = "generic",
        timeout_s: float = DEFAULT_TIMEOUT_S,
        replay_window_s: int = REPLAY_WINDOW_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.carrier_code = carrier_code
        self.timeout_s = timeout_s
        self.replay_window_s = replay_window_s
        self.clock = clock

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.api_key}", **kwargs.pop("headers", {})}
        return await request_json(
            self.client,
            method,
            self.base_url + path,
            timeout_s=self.timeout_s,
            headers=headers,
            **kwargs,
        )

    @staticmethod
    def _facts(shipment: ShipmentFacts) -> dict[str, Any]:
        facts: dict[str, Any] = {
            "reference": shipment.reference,
            "destination": {"country": shipment.country, "region": shipment.region},
            "weight_kg": str(shipment.weight_kg),
            "goods_classes": sorted(str(c) for c in shipment.goods_classes),
            "ship_at": shipment.ship_at.isoformat(),
            "deliver_by": shipment.deliver_by.isoformat() if shipment.deliver_by else None,
        }
        if shipment.is_return:
            facts["return"] = True
        return facts

    async def quote(self, shipment: ShipmentFacts) -> list[Rate]:
        data = await self._call("POST", "/quotes", json=self._facts(shipment))
        try:
            return [
                Rate(
                    carrier_code=self.carrier_code,
                    service=text(rate, "service"),
                    price=decimal(rate, "price"),
                    currency=text(rate, "currency"),
                    promised_date=optional_date(rate, "promised_date"),
                    zone=rate.get("zone"),
                )
                for rate in items(data, "rates")
            ]
        except (Malformed, AttributeError) as exc:
            raise CarrierError(f"malformed quote: {exc}", status=502) from exc

    async def buy_label(self, shipment: ShipmentFacts, rate: Rate, idempotency_key: str) -> Label:
        body = {
            **self._facts(shipment),
            "service": rate.service,
            "price": str(rate.price),
            "currency": rate.currency,
        }
        data = await self._call(
            "POST", "/labels", json=body, headers={"Idempotency-Key": idempotency_key}
        )
        try:
            document = field(data, "label")
            return Label(
                carrier_code=self.carrier_code,
                tracking_number=text(data, "tracking_number"),
                service=text(data, "service"),
                price=decimal(data, "price"),
                currency=text(data, "currency"),
                content_type=text(document, "content_type"),
                document=base64.b64decode(text(document, "data_base64"), validate=True),
                shipment_reference=shipment.reference,
            )
        except (Malformed, ValueError) as exc:
            raise CarrierError(f"malformed label: {exc}", status=502) from exc

    async def cancel_label(self, label: Label) -> None:
        await self._call("DELETE", f"/labels/{label.tracking_number}", expect_body=False)

    async def track(
        self, tracking_number: str, carrier_shipment_id: str | None = None
    ) -> list[TrackingEvent]:
        data = await self._call("GET", f"/tracking/{tracking_number}")
        return self._events(data)

    def _events(self, data: Any) -> list[TrackingEvent]:
        try:
            number = text(data, "tracking_number")
            events = []
            for event in items(data, "events"):
                status = text(event, "status")
                if status not in STATUSES:
                    raise Malformed(f"unknown status '{status}'")
                events.append(
                    TrackingEvent(
                        tracking_number=number,
                        status=status,
                        occurred_at=timestamp(event, "occurred_at"),
                        description=str(event.get("description") or ""),
                    )
                )
        except Malformed as exc:
            raise CarrierError(f"malformed tracking: {exc}", status=502) from exc
        return sorted(events, key=lambda e: e.occurred_at)

    async def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookEvent:
        """Check ``X-Signature`` (and its age), then return the webhook's id and events."""
        header = lowered(headers).get("x-signature")
        if not header:
            raise CarrierError("webhook without X-Signature", status=401)
        try:
            t, mac = parse_signature(header)
        except ValueError as exc:
            raise CarrierError("webhook with a malformed X-Signature", status=401) from exc
        expected = sign(self.webhook_secret, t, raw_body)
        if not hmac.compare_digest(f"t={t},v1={mac}".encode(), expected.encode()):
            raise CarrierError("webhook signature does not match", status=401)
        if abs(self.clock() - int(t)) > self.replay_window_s:
            raise CarrierError("webhook signature is too old (replay refused)", status=401)
        try:
            data = json.loads(raw_body)
            event_id = text(data, "id")
        except (ValueError, Malformed) as exc:
            raise CarrierError(f"malformed webhook: {exc}", status=400) from exc
        return WebhookEvent(event_id, self._events(data))


def as_gateway(gateway: GenericJsonGateway) -> CarrierGateway:
    """The adapter as the port (mypy checks here that it implements every method)."""
    return gateway
