"""Events of storefront connections: connections changed, webhooks refused for business
reasons, shop orders Lading could not follow, and the calls back to a shop that the worker
sends from the outbox (fulfilment, delivery, cancellation)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class StorefrontConnectionCreated(Event):
    entity_type: str = "storefront_connection"
    action: str = "created"
    topic: str | None = "storefront_connection.created"


@dataclass(frozen=True, kw_only=True)
class StorefrontConnectionUpdated(Event):
    entity_type: str = "storefront_connection"
    action: str = "updated"
    topic: str | None = "storefront_connection.updated"


@dataclass(frozen=True, kw_only=True)
class StorefrontIntakeRejected(Event):
    """A shop's webhook was answered 200 but not taken (unknown SKU, currency, malformed):
    the connection's administrators and sales are alerted (reaction)."""

    entity_type: str = "storefront_rejection"
    action: str = "created"
    topic: str | None = "storefront.intake_rejected"
    connection_id: str
    connection_code: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class StorefrontOrderDiverged(Event):
    """The shop changed or cancelled an order in a way Lading cannot follow (lines changed
    after allocation, cancelled after shipping): someone must look at it (reaction: alert)."""

    entity_type: str = "order"
    action: str = "storefront_diverged"
    topic: str | None = "storefront.order_diverged"
    number: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class StorefrontFulfilmentDue(Event):
    """A shipment of a shop's order left: the worker tells the shop (``storefront.fulfilment``)."""

    entity_type: str = "shipment"
    action: str = "storefront_fulfilment"
    topic: str | None = "storefront.fulfilment"
    audited: bool = False


@dataclass(frozen=True, kw_only=True)
class StorefrontDeliveryDue(Event):
    """A shipment of a shop's order was delivered or came back (``storefront.delivery``)."""

    entity_type: str = "shipment"
    action: str = "storefront_delivery"
    topic: str | None = "storefront.delivery"
    audited: bool = False


@dataclass(frozen=True, kw_only=True)
class StorefrontCancelDue(Event):
    """Lading cancelled a shop's order on its own accord (``storefront.cancel``)."""

    entity_type: str = "order"
    action: str = "storefront_cancel"
    topic: str | None = "storefront.cancel"
    audited: bool = False


@dataclass(frozen=True, kw_only=True)
class StorefrontPaymentReported(Event):
    """A shop reported a payment on an order Lading has (``orders/paid``, a WooCommerce order
    now processing): it is recorded as any reported payment is (reaction)."""

    entity_type: str = "order"
    action: str = "storefront_payment_reported"
    audited: bool = False
    status: str
    amount: Decimal
    currency: str
    reference: str
