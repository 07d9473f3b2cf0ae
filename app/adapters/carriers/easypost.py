"""EasyPost (https://docs.easypost.com, API v2) as a carrier gateway, over an injected
``httpx.AsyncClient``.

Written from EasyPost's public API reference: ``POST /v2/shipments`` answers the shipment with
its ``rates[]``; ``POST /v2/shipments/{id}/buy`` with ``{"rate": {"id": ...}}`` buys one and
answers ``tracking_code`` and ``postage_label.label_url``; ``POST /v2/shipments/{id}/refund``
voids it; ``GET /v2/trackers?tracking_code=...`` lists the trackers of a tracking code, each
with ``status``, ``shipment_id`` and ``tracking_details[]``. Authentication is HTTP basic with
the API key as the user name and an empty password.

What this adapter adds:

- Shipments carry full addresses on both sides (``name, company, street1, street2, city,
  state, zip, country, phone, email``, as in every request EasyPost records): the sender and
  receiver of :class:`ShipmentFacts` (``app.services.shipments.parties`` builds them); without
  them EasyPost's carriers return no rates. The parcel is the shipment's, else the default
  dimensions given to the gateway.
- Return shipments (:attr:`ShipmentFacts.is_return`, the goods going from the customer back
  to the warehouse) are created with ``"is_return": true`` and the addresses as the original
  shipment had them — ``from_address`` the warehouse, ``to_address`` the customer — which
  EasyPost swaps for the return label (docs.easypost.com/docs/returns).
- Weights go out in ounces, the parcel's dimensions in inches (converted from kg and cm).
- Labels: EasyPost serves the document at ``label_url``; the adapter stores that URL as the
  label's document, with content type ``text/uri-list``; it never fetches the image.
- Each rate carries ``offer_id = "<EasyPost shipment id>/<rate id>"``; Lading stores it with
  the quote, so buying needs no second quote and always buys on the same EasyPost shipment.
  Buying sends an ``Idempotency-Key`` header; a retry of a purchase that in fact went through
  finds the shipment already bought (EasyPost answers 4xx) and then reads the shipment back
  (``GET /v2/shipments/{id}``) and returns the label it already has, so one shipment never
  gets two labels. Without an ``offer_id`` (a rate quoted elsewhere) buying quotes again and
  picks the same carrier and service.
- A label keeps EasyPost's shipment id (:attr:`Label.carrier_shipment_id`). EasyPost may list
  several trackers for one tracking code (an insured label gets a second one, of no shipment):
  tracking reads, and refunds go to, the label's own shipment (:func:`pick_tracker`).
- Webhooks: EasyPost sends every event type to every webhook URL; only ``tracker.*`` events
  carry tracking (:func:`is_tracking_event`), others come back as ``tracking=False``.
- Errors: transport failures, timeouts and 5xx answers raise ``CarrierError(retryable=True)``;
  4xx answers ``CarrierError(status=<upstream>)``, both with EasyPost's ``{"error": {"code",
  "message", "errors": [...]}}`` parsed into ``code`` and ``details``; malformed JSON or
  missing fields ``CarrierError(status=502)``. EasyPost's statuses map onto Lading's with
  :func:`lading_status`."""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from collections.abc import Mapping
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from app.adapters.carriers.base import (
    CarrierError,
    CarrierGateway,
    Label,
    Parcel,
    PostalAddress,
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

BASE_URL = "https://api.easypost.com"
LABEL_CONTENT_TYPE = "text/uri-list"
SIGNATURE_PREFIX = "hmac-sha256-hex="
OUNCES_PER_KG = Decimal("35.27396195")
CM_PER_INCH = Decimal("2.54")

# EasyPost tracker statuses → Lading's tracking statuses.
STATUS_MAP: Mapping[str, str] = {
    "pre_transit": "label_created",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "delivered": "delivered",
    "available_for_pickup": "delivery_failed",
    "return_to_sender": "returned_to_sender",
    "failure": "delivery_failed",
    "cancelled": "exception",
    "error": "exception",
    "unknown": "exception",
}


def lading_status(easypost_status: str) -> str:
    """Lading's status for an EasyPost tracker status. ``available_for_pickup`` (the carrier
    holds the parcel after a failed or refused delivery) counts as ``delivery_failed``;
    ``cancelled``, ``error``, ``unknown`` and anything EasyPost may add later are
    ``exception`` (someone has to look)."""
    return STATUS_MAP.get(easypost_status, "exception")


def easypost_signature(secret: bytes, raw_body: bytes) -> str:
    """The ``X-Hmac-Signature`` value EasyPost sends: ``hmac-sha256-hex=`` followed by the hex
    HMAC-SHA256 of the raw body keyed with the webhook secret (NFKD-normalised, UTF-8)."""
    key = unicodedata.normalize("NFKD", secret.decode("utf-8")).encode("utf-8")
    return SIGNATURE_PREFIX + hmac.new(key, raw_body, hashlib.sha256).hexdigest()


def is_tracking_event(topic: str, result: Any) -> bool:
    """EasyPost sends every event type to every webhook: only ``tracker.*`` events (whose
    ``result`` is a Tracker) are about tracking; ``batch.created``, ``refund.successful``,
    ``shipment.invoice.created``, ... are not. An event that names no type counts as tracking
    when its result is a Tracker."""
    if topic:
        return topic.startswith("tracker.")
    return isinstance(result, dict) and result.get("object") == "Tracker"


def ounces(kg: Decimal) -> Decimal:
    return (kg * OUNCES_PER_KG).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def inches(cm: Decimal) -> Decimal:
    return (cm / CM_PER_INCH).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def address_json(address: PostalAddress) -> dict[str, str]:
    """An EasyPost Address object (``name, company, street1, street2, city, state, zip,
    country, phone, email``); fields Lading does not know are left out, not sent empty."""
    values = {
        "name": address.name,
        "company": address.company,
        "street1": address.street1,
        "street2": address.street2,
        "city": address.city,
        "state": address.state,
        "zip": address.zip,
        "country": address.country,
        "phone": address.phone,
        "email": address.email,
    }
    return {k: v for k, v in values.items() if v}


def pick_tracker(trackers: list[Any], shipment_id: str | None) -> Any | None:
    """The tracker of the label among those EasyPost lists for its tracking code (it creates
    another one, with no ``shipment_id``, when a label is insured or tracked on its own):
    the one of ``shipment_id`` when the label's shipment is known; otherwise one that belongs
    to some shipment, else the first. None when the known shipment has none."""
    mine = [t for t in trackers if isinstance(t, dict)]
    if shipment_id:
        return next((t for t in mine if t.get("shipment_id") == shipment_id), None)
    return next((t for t in mine if t.get("shipment_id")), mine[0] if mine else None)


class EasyPostGateway:
    def __init__(
        self,
        client: httpx.AsyncClient,
        api_key: str,
        webhook_secret: bytes,
        *,
        base_url: str = BASE_URL,
        from_address: Mapping[str, str] | None = None,
        parcel_cm: tuple[Decimal, Decimal, Decimal] = (Decimal(30), Decimal(20), Decimal(15)),
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.client = client
        self.auth = httpx.BasicAuth(api_key, "")
        self.webhook_secret = webhook_secret
        self.base_url = base_url.rstrip("/")
        self.from_address = dict(from_address or {"country": "US"})
        self.parcel_cm = parcel_cm
        self.timeout_s = timeout_s

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        return await request_json(
            self.client,
            method,
            self.base_url + path,
            timeout_s=self.timeout_s,
            auth=self.auth,
            **kwargs,
        )

    def _shipment_body(self, shipment: ShipmentFacts) -> dict[str, Any]:
        parcel = shipment.parcel or Parcel(shipment.weight_kg, *self.parcel_cm)
        if shipment.destination is not None:
            to_address = address_json(shipment.destination)
        else:
            to_address = {"country": shipment.country}
            if shipment.region:
                to_address["state"] = shipment.region
        from_address = address_json(shipment.origin) if shipment.origin else self.from_address
        body: dict[str, Any] = {
            "reference": shipment.reference,
            "to_address": to_address,
            "from_address": from_address,
            "parcel": {
                "weight": str(ounces(parcel.weight_kg)),
                "length": str(inches(parcel.length_cm)),
                "width": str(inches(parcel.width_cm)),
                "height": str(inches(parcel.height_cm)),
            },
        }
        if shipment.is_return:
            # EasyPost's return: the addresses as the original shipment had them (the
            # warehouse sends, the customer receives) and ``is_return``; EasyPost swaps them.
            body |= {"to_address": from_address, "from_address": to_address, "is_return": True}
        return {"shipment": body}

    async def quote(self, shipment: ShipmentFacts) -> list[Rate]:
        data = await self._call("POST", "/v2/shipments", json=self._shipment_body(shipment))
        try:
            shipment_id = text(data, "id")
            rates = []
            for offer in items(data, "rates"):
                promised = optional_date(offer, "delivery_date")
                days = offer.get("delivery_days")
                if promised is None and isinstance(days, int) and not isinstance(days, bool):
                    promised = shipment.ship_at.date() + timedelta(days=days)
                rates.append(
                    Rate(
                        carrier_code=text(offer, "carrier"),
                        service=text(offer, "service"),
                        price=decimal(offer, "rate"),
                        currency=text(offer, "currency"),
                        promised_date=promised,
                        offer_id=f"{shipment_id}/{text(offer, 'id')}",
                    )
                )
        except (Malformed, AttributeError) as exc:
            raise CarrierError(f"malformed EasyPost shipment: {exc}", status=502) from exc
        return rates

    async def _offer(self, shipment: ShipmentFacts, rate: Rate) -> tuple[str, str]:
        """(EasyPost shipment id, rate id) of ``rate``: from its ``offer_id``, or quoted
        again for the same carrier and service."""
        if rate.offer_id and "/" in rate.offer_id:
            shipment_id, rate_id = rate.offer_id.split("/", 1)
            return shipment_id, rate_id
        for fresh in await self.quote(shipment):
            if (fresh.carrier_code, fresh.service) == (rate.carrier_code, rate.service):
                assert fresh.offer_id is not None
                shipment_id, rate_id = fresh.offer_id.split("/", 1)
                return shipment_id, rate_id
        raise CarrierError(
            f"EasyPost offers no {rate.carrier_code}/{rate.service} rate for {shipment.reference}.",
            status=422,
        )

    def _label(self, data: Any, reference: str) -> Label:
        try:
            selected = field(data, "selected_rate")
            return Label(
                carrier_code=text(selected, "carrier"),
                tracking_number=text(data, "tracking_code"),
                service=text(selected, "service"),
                price=decimal(selected, "rate"),
                currency=text(selected, "currency"),
                content_type=LABEL_CONTENT_TYPE,
                document=text(field(data, "postage_label"), "label_url").encode(),
                shipment_reference=reference,
                carrier_shipment_id=text(data, "id"),
            )
        except (Malformed, AttributeError) as exc:
            raise CarrierError(f"malformed EasyPost purchase: {exc}", status=502) from exc

    async def buy_label(self, shipment: ShipmentFacts, rate: Rate, idempotency_key: str) -> Label:
        shipment_id, rate_id = await self._offer(shipment, rate)
        try:
            data = await self._call(
                "POST",
                f"/v2/shipments/{shipment_id}/buy",
                json={"rate": {"id": rate_id}},
                headers={"Idempotency-Key": idempotency_key},
            )
        except CarrierError as exc:
            if exc.retryable or exc.status is None or exc.status >= 500:
                raise
            # Refused: perhaps because an earlier attempt (whose answer was lost) bought it.
            # Then the shipment holds that label, and it is the one to keep.
            current = await self._call("GET", f"/v2/shipments/{shipment_id}")
            if not isinstance(current, dict) or not current.get("tracking_code"):
                raise
            data = current
        return self._label(data, shipment.reference)

    async def _tracker(self, tracking_number: str, shipment_id: str | None) -> Any:
        data = await self._call("GET", "/v2/trackers", params={"tracking_code": tracking_number})
        try:
            trackers = items(data, "trackers")
        except Malformed as exc:
            raise CarrierError(f"malformed EasyPost trackers: {exc}", status=502) from exc
        tracker = pick_tracker(trackers, shipment_id)
        if tracker is None:
            of = f" of shipment {shipment_id}" if shipment_id else ""
            raise CarrierError(f"EasyPost has no tracker{of} for {tracking_number}.", status=404)
        return tracker

    async def _shipment_of(self, label: Label) -> str:
        if label.carrier_shipment_id:
            return label.carrier_shipment_id
        # A label bought before Lading kept EasyPost's shipment id: its tracker names it.
        tracker = await self._tracker(label.tracking_number, None)
        try:
            return text(tracker, "shipment_id")
        except Malformed as exc:
            raise CarrierError(f"malformed EasyPost tracker: {exc}", status=502) from exc

    async def cancel_label(self, label: Label) -> None:
        shipment_id = await self._shipment_of(label)
        data = await self._call("POST", f"/v2/shipments/{shipment_id}/refund")
        try:
            refund_status = text(data, "refund_status")
        except Malformed as exc:
            raise CarrierError(f"malformed EasyPost refund: {exc}", status=502) from exc
        if refund_status == "rejected":
            raise CarrierError(
                f"EasyPost rejected the refund of {label.tracking_number}.", status=409
            )

    async def track(
        self, tracking_number: str, carrier_shipment_id: str | None = None
    ) -> list[TrackingEvent]:
        return self._events(await self._tracker(tracking_number, carrier_shipment_id))

    @staticmethod
    def _events(tracker: Any) -> list[TrackingEvent]:
        try:
            number = text(tracker, "tracking_code")
            shipment_id = str(tracker.get("shipment_id") or "")
            events = []
            for detail in items(tracker, "tracking_details"):
                description = str(detail.get("message") or "")
                events.append(
                    TrackingEvent(
                        tracking_number=number,
                        status=lading_status(text(detail, "status")),
                        occurred_at=timestamp(detail, "datetime"),
                        description=description,
                        carrier_shipment_id=shipment_id,
                    )
                )
        except (Malformed, AttributeError) as exc:
            raise CarrierError(f"malformed EasyPost tracker: {exc}", status=502) from exc
        return sorted(events, key=lambda e: e.occurred_at)

    async def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookEvent:
        """Check ``X-Hmac-Signature`` and return the Event's id and the events of its
        ``result`` tracker (the tracker's whole history, as EasyPost sends it).

        Implemented form: ``X-Hmac-Signature: hmac-sha256-hex=<hex>``, the hex HMAC-SHA256 of
        the raw request body keyed with the webhook secret (NFKD-normalised UTF-8), compared in
        constant time. Source: EasyPost's Webhooks guide and reference
        (docs.easypost.com/docs/webhooks, "HMAC Validation": a ``webhook_secret`` set on the
        webhook, the signature sent in ``X-Hmac-Signature``), and the ``validate_webhook``
        helper its client libraries document for checking it. The signature carries no time,
        so a replayed Event is recognised by its id (Lading's webhook inbox keeps each once)."""
        signature = lowered(headers).get("x-hmac-signature")
        if not signature:
            raise CarrierError("webhook without X-Hmac-Signature", status=401)
        expected = easypost_signature(self.webhook_secret, raw_body)
        if not hmac.compare_digest(signature.encode(), expected.encode()):
            raise CarrierError("webhook signature does not match", status=401)
        try:
            event = json.loads(raw_body)
            event_id = text(event, "id")
            topic = str(event.get("description") or "")
            tracker = field(event, "result")
        except (ValueError, Malformed, AttributeError) as exc:
            raise CarrierError(f"malformed EasyPost event: {exc}", status=502) from exc
        if not is_tracking_event(topic, tracker):
            return WebhookEvent(event_id, [], topic=topic, tracking=False)
        return WebhookEvent(event_id, self._events(tracker), topic=topic)


def as_gateway(gateway: EasyPostGateway) -> CarrierGateway:
    """The adapter as the port (mypy checks here that it implements every method)."""
    return gateway
