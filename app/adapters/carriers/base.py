"""The port every carrier adapter implements (own fleet, EasyPost, generic JSON APIs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from app.domain.products import GoodsClass


@dataclass(frozen=True)
class CarrierErrorDetail:
    """One item of a carrier's error answer: the field it names (when it names one) and what
    is wrong with it (EasyPost: ``{"field": "shipment", "message": "cannot be blank"}``)."""

    message: str
    field: str | None = None


class CarrierError(Exception):
    """A carrier refused or failed a request. ``status`` is the upstream HTTP status (None
    when there was no HTTP exchange); ``retryable`` says whether trying again may succeed;
    ``code`` and ``details`` are the carrier's own error code and itemised errors, when its
    answer carried them."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        code: str | None = None,
        details: tuple[CarrierErrorDetail, ...] = (),
    ):
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.code = code
        self.details = details


@dataclass(frozen=True)
class PostalAddress:
    """A sender or receiver as carriers want it: who (name, company, phone, email) and where.
    ``state`` is the province or state, ``zip`` the postcode."""

    name: str
    street1: str
    city: str
    country: str
    state: str | None = None
    zip: str | None = None
    street2: str | None = None
    company: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Parcel:
    """The box handed to the carrier: its weight and outer dimensions."""

    weight_kg: Decimal
    length_cm: Decimal
    width_cm: Decimal
    height_cm: Decimal


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
    # Full addresses and the parcel, for carriers that rate on them (EasyPost); None when the
    # caller knows only the destination's country and region.
    origin: PostalAddress | None = None
    destination: PostalAddress | None = None
    parcel: Parcel | None = None
    # A return: the goods travel from ``origin`` (the customer) back to ``destination`` (the
    # warehouse); carriers that sell return labels are told so.
    is_return: bool = False


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
    # The carrier's own id of the shipment the label was bought on (EasyPost: ``shp_...``),
    # which tells its trackers apart from others of the same tracking code.
    carrier_shipment_id: str | None = None


@dataclass(frozen=True)
class TrackingEvent:
    tracking_number: str
    status: str
    occurred_at: datetime
    description: str = ""
    # Which carrier shipment the event is about, for carriers that say: EasyPost's tracker
    # ``shipment_id`` ("" for a tracker of no shipment). None: the carrier does not say.
    carrier_shipment_id: str | None = None


@dataclass(frozen=True)
class WebhookEvent:
    """One verified webhook delivery: the carrier's id for it (kept once in the inbox) and the
    tracking events it carries. ``topic`` is the carrier's event type; ``tracking`` is False
    for an event that is about something else (EasyPost ``batch.created``,
    ``refund.successful``, ...), which is acknowledged and ignored."""

    event_id: str
    events: list[TrackingEvent]
    topic: str = ""
    tracking: bool = True


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

    async def track(
        self, tracking_number: str, carrier_shipment_id: str | None = None
    ) -> list[TrackingEvent]:
        """Every tracking event of a label, oldest first (``carrier_shipment_id``: the
        label's :attr:`Label.carrier_shipment_id`, when known)."""
        ...

    async def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookEvent:
        """Check a webhook's signature (and age, when it is signed with a time) and return its
        id and events, or raise ``CarrierError`` (status 401 for a bad or stale signature)."""
        ...
