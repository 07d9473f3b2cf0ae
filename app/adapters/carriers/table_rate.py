"""The table-rate carrier: the company's own fleet and local couriers, priced from the
carrier's own table (no HTTP). Prices and promises come from ``app.domain.carrier_selection``.

Labels are ``text/plain; charset=utf-8`` documents. Labels and tracking events live in a
:class:`LabelJournal`, which callers may share between adapter instances; persisting it is
the shipments' business, not this adapter's."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.adapters.carriers.base import (
    CarrierError,
    CarrierGateway,
    Label,
    Rate,
    ShipmentFacts,
    TrackingEvent,
    WebhookEvent,
)
from app.domain import carrier_selection
from app.domain.carrier_selection import CarrierTerms, Quote

LABEL_CONTENT_TYPE = "text/plain; charset=utf-8"
DEFAULT_SERVICE = "standard"


def tracking_number(carrier_code: str, idempotency_key: str) -> str:
    """``<CARRIER>-<12 chars>``: the same carrier and key always give the same number."""
    digest = hashlib.sha256(f"{carrier_code}\x00{idempotency_key}".encode()).digest()
    return f"{carrier_code.upper()}-{base64.b32encode(digest).decode()[:12]}"


@dataclass
class LabelJournal:
    """Labels by idempotency key and tracking events by tracking number."""

    labels: dict[str, Label] = field(default_factory=dict)
    events: dict[str, list[TrackingEvent]] = field(default_factory=dict)


class TableRateCarrier:
    def __init__(
        self,
        terms: CarrierTerms,
        *,
        services: tuple[str, ...] = (),
        journal: LabelJournal | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.terms = terms
        self.services = services or (DEFAULT_SERVICE,)
        self.journal = journal if journal is not None else LabelJournal()
        self.clock = clock

    def _quote(self, shipment: ShipmentFacts) -> Quote | carrier_selection.Exclusion:
        facts = carrier_selection.ShipmentFacts(
            country=shipment.country,
            region=shipment.region,
            weight_kg=shipment.weight_kg,
            goods_classes=shipment.goods_classes,
            now=shipment.ship_at,
            deliver_by=shipment.deliver_by,
        )
        return carrier_selection.evaluate(self.terms, facts)

    async def quote(self, shipment: ShipmentFacts) -> list[Rate]:
        """One rate per service (the table prices every service alike); none when the
        carrier cannot take the shipment."""
        quote = self._quote(shipment)
        if not isinstance(quote, Quote):
            return []
        return [
            Rate(
                carrier_code=self.terms.code,
                service=service,
                price=quote.price,
                currency=quote.currency,
                promised_date=quote.promised_date,
                zone=quote.zone,
            )
            for service in self.services
        ]

    async def buy_label(self, shipment: ShipmentFacts, rate: Rate, idempotency_key: str) -> Label:
        existing = self.journal.labels.get(idempotency_key)
        if existing is not None:
            if existing.shipment_reference != shipment.reference:
                raise CarrierError(
                    f"Idempotency key '{idempotency_key}' was used for shipment "
                    f"'{existing.shipment_reference}'.",
                    status=409,
                )
            return existing
        if rate.carrier_code != self.terms.code or rate.service not in self.services:
            raise CarrierError(
                f"Rate {rate.carrier_code}/{rate.service} is not one of {self.terms.code}'s.",
                status=422,
            )
        quote = self._quote(shipment)
        if not isinstance(quote, Quote):
            raise CarrierError(quote.detail, status=422)
        number = tracking_number(self.terms.code, idempotency_key)
        label = Label(
            carrier_code=self.terms.code,
            tracking_number=number,
            service=rate.service,
            price=quote.price,
            currency=quote.currency,
            content_type=LABEL_CONTENT_TYPE,
            document=self._document(shipment, quote, rate.service, number),
            shipment_reference=shipment.reference,
        )
        self.journal.labels[idempotency_key] = label
        self._record(number, "label_created", f"Label bought for {shipment.reference}.")
        return label

    def _document(self, shipment: ShipmentFacts, quote: Quote, service: str, number: str) -> bytes:
        destination = (
            f"{shipment.country}/{shipment.region}" if shipment.region else shipment.country
        )
        lines = [
            f"CARRIER: {self.terms.code}",
            f"SERVICE: {service}",
            f"TRACKING: {number}",
            f"SHIPMENT: {shipment.reference}",
            f"DESTINATION: {destination}",
            f"ZONE: {quote.zone}",
            f"WEIGHT KG: {shipment.weight_kg}",
            f"SHIP DATE: {quote.ship_date.isoformat()}",
            f"PROMISED: {quote.promised_date.isoformat()}",
        ]
        return ("\n".join(lines) + "\n").encode("utf-8")

    def _record(self, number: str, status: str, description: str) -> None:
        event = TrackingEvent(number, status, self.clock(), description)
        self.journal.events.setdefault(number, []).append(event)

    def record_scan(self, tracking_number: str, status: str, description: str = "") -> None:
        """A driver's scan (picked up, out for delivery, delivered, …)."""
        self._known(tracking_number)
        self._record(tracking_number, status, description)

    def _known(self, number: str) -> list[TrackingEvent]:
        events = self.journal.events.get(number)
        if events is None:
            raise CarrierError(f"No label with tracking number '{number}'.", status=404)
        return events

    async def cancel_label(self, label: Label) -> None:
        events = self._known(label.tracking_number)
        if any(event.status == "cancelled" for event in events):
            return
        if any(event.status == "delivered" for event in events):
            raise CarrierError(f"Label {label.tracking_number} was already delivered.", status=409)
        self._record(label.tracking_number, "cancelled", "Label cancelled.")

    async def track(
        self, tracking_number: str, carrier_shipment_id: str | None = None
    ) -> list[TrackingEvent]:
        return list(self._known(tracking_number))

    async def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookEvent:
        raise CarrierError(
            f"Carrier {self.terms.code} is a table-rate carrier; it sends no webhooks.",
            status=404,
            retryable=False,
        )


def as_gateway(carrier: TableRateCarrier) -> CarrierGateway:
    """The adapter as the port (mypy checks here that it implements every method)."""
    return carrier
