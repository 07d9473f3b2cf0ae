"""The port every carrier adapter implements (own fleet, EasyPost, generic JSON APIs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from app.domain.products import GoodsClass


class CarrierError(Exception):
    """A carrier refused or failed a request. ``status`` is the upstream HTTP status (None
    when there was no HTTP exchange); ``retryable`` says whether trying again may succeed."""

    def __init__(self, message: str, *, status: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class ShipmentFacts:
    """What a carrier needs to know to quote and label one shipment. ``ship_at`` is the
    warehouse's local wall-clock time (the carrier's cutoff is compared with it)."""

    reference: str
    country: str
    region: str | None
    weight_kg: Decimal
    goods_classes: frozenset[GoodsClass]
    ship_at: datetime
    deliver_by: date | None = None


@dataclass(frozen=True)
class Rate:
    carrier_code: str
    service: str
    price: Decimal
    currency: str
    promised_date: date | None
    zone: str | None = None
    # The carrier's own id for this offer (EasyPost: "<shipment id>/<rate id>"), when it has one;
    # stored with the quote so that buying it later needs no second quote.
    offer_id: str | None = None


@dataclass(frozen=True)
class Label:
    carrier_code: str
    tracking_number: str
    service: str
    price: Decimal
    currency: str
    content_type: str
    document: bytes = field(repr=False)
    shipment_reference: str = ""


@dataclass(frozen=True)
class TrackingEvent:
    tracking_number: str
    status: str
    occurred_at: datetime
    description: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    """One verified webhook delivery: the carrier's id for it (kept once in the inbox) and the
    tracking events it carries."""

    event_id: str
    events: list[TrackingEvent]


class CarrierGateway(Protocol):
    async def quote(self, shipment: ShipmentFacts) -> list[Rate]:
        """The carrier's rates for the shipment; empty when it cannot carry it."""
        ...

    async def buy_label(self, shipment: ShipmentFacts, rate: Rate, idempotency_key: str) -> Label:
        """Buy a label at ``rate``; the same key returns the same label, never a second one."""
        ...

    async def cancel_label(self, label: Label) -> None:
        """Void a label (cancelling twice is not an error)."""
        ...

    async def track(self, tracking_number: str) -> list[TrackingEvent]:
        """Every tracking event of a label, oldest first."""
        ...

    async def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookEvent:
        """Check a webhook's signature (and age, when it is signed with a time) and return its
        id and events, or raise ``CarrierError`` (status 401 for a bad or stale signature)."""
        ...
