"""The port every storefront adapter implements: telling a shop what happened to its orders
(fulfilment with tracking, delivery, cancellation) and how much of each SKU it may still sell.

Orders *in* are webhooks (verified and mapped outside the adapters); these calls go *out*,
sent by the worker from the outbox, so each must be safe to repeat: an adapter first looks at
what the shop already has (a fulfilment with this tracking number, a note with this reference)
and does nothing when the change is there already.

Each adapter wraps an ``httpx.AsyncClient`` injected by the caller (timeouts and the outbound
URL guard set there); the shop's base URL and credentials come per call in
:class:`StorefrontAccess`, because one worker serves many connections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Protocol

Platform = Literal["shopify", "woocommerce"]


class StorefrontError(Exception):
    """A shop refused or failed a call. ``status`` is the upstream HTTP status (None without an
    HTTP exchange, e.g. a GraphQL ``userErrors`` answer under 200); ``retryable`` says whether
    trying again may succeed (timeouts, 429, 5xx, Shopify's ``THROTTLED``, an unreadable answer)
    — the worker retries those with backoff and dead-letters the others. ``retry_after`` is
    the wait in seconds the shop asked for (a 429's ``Retry-After``), when it named one."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class StorefrontAccess:
    """Where a shop is and how to sign in to it.

    Shopify: ``base_url`` ``https://{shop}.myshopify.com``, ``access_token`` the Admin API
    access token (header ``X-Shopify-Access-Token``), ``api_version`` such as ``2026-10`` (the
    adapter writes each mutation in the form that version documents), ``location_id`` the
    Shopify location (gid ``gid://shopify/Location/N`` or the bare number) whose inventory
    Lading sets (None: the shop's primary location).
    WooCommerce: ``base_url`` the site root (``https://shop.example.com``; REST under
    ``/wp-json/wc/v3``), ``consumer_key``/``consumer_secret`` for HTTP basic auth;
    ``woocommerce_mode`` what a fulfilment does to the order: ``complete`` (the default: a
    note with the tracking details, and the order set ``completed`` once every line has
    shipped, which sends WooCommerce's "completed order" email) or ``note`` (the note only;
    the status is left to the shop); ``woocommerce_shipment_tracking`` also records the
    tracking on the order through the WooCommerce Shipment Tracking extension's REST API
    (``/wp-json/wc-shipment-tracking/v3/orders/{id}/shipment-trackings``) — only for shops
    that have that extension installed."""

    platform: Platform
    base_url: str
    access_token: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    api_version: str = "2026-10"
    location_id: str | None = None
    woocommerce_mode: Literal["complete", "note"] = "complete"
    woocommerce_shipment_tracking: bool = False


@dataclass(frozen=True)
class FulfilledLine:
    """One storefront line that left in a shipment: the platform's own line item id (kept from
    the order webhook) and the quantity shipped."""

    line_item_id: str
    quantity: int


@dataclass(frozen=True)
class FulfilmentNotice:
    """A Lading shipment confirmed for a storefront order.

    ``order_id`` is the platform's order id as the webhook gave it (Shopify: numeric id or
    ``gid://shopify/Order/…``; WooCommerce: the numeric id); ``reference`` is the Lading
    shipment number (``SH-…``), the key that makes a repeat a no-op. ``lines`` empty means the
    whole order (every unfulfilled line). Without a tracking number (own delivery) the
    reference stands in for it on Shopify, so a repeat is still recognised.
    ``notify_customer`` is the connection's setting; ``complete`` says every line of the order
    has now shipped (WooCommerce's ``complete`` mode then completes the order)."""

    order_id: str
    reference: str
    lines: Sequence[FulfilledLine]
    tracking_number: str | None
    carrier_name: str | None
    tracking_url: str | None
    notify_customer: bool = False
    complete: bool = True  # every line of the order has now shipped


@dataclass(frozen=True)
class DeliveryNotice:
    """A shipment delivered (proof of delivery) or returned, for the shop's order timeline."""

    order_id: str
    reference: str
    tracking_number: str | None
    event: Literal["delivered", "returned"] = "delivered"


@dataclass(frozen=True)
class StockLevel:
    """The quantity a shop may sell of one SKU: Lading's available stock over the connection's
    warehouses (never below zero)."""

    sku: str
    available: Decimal


@dataclass(frozen=True)
class StockPushResult:
    """What a stock push did: SKUs set, and SKUs the shop does not know (left alone)."""

    updated: Sequence[str] = field(default_factory=tuple)
    unknown: Sequence[str] = field(default_factory=tuple)


class StorefrontGateway(Protocol):
    """One platform's calls back. Every method may be called again with the same arguments
    after a crash or a retry, and must then change nothing more."""

    platform: Platform

    async def fulfil(self, access: StorefrontAccess, notice: FulfilmentNotice) -> str:
        """Record the shipment on the shop's order; return the platform's fulfilment id (or
        note id). A fulfilment with the same tracking number / reference already there is
        returned as is."""
        ...

    async def delivered(self, access: StorefrontAccess, notice: DeliveryNotice) -> None:
        """Tell the shop a shipment was delivered or came back, where it has a place for it."""
        ...

    async def cancel(self, access: StorefrontAccess, order_id: str, reason: str) -> None:
        """Tell the shop Lading cancelled its order (only sent when Lading cancels on its own
        accord, never echoing a cancellation that came from the shop)."""
        ...

    async def set_stock(
        self,
        access: StorefrontAccess,
        levels: Sequence[StockLevel],
        *,
        push_id: str | None = None,
    ) -> StockPushResult:
        """Set the sellable quantity of each SKU (batched: Shopify ``inventorySetQuantities``,
        WooCommerce ``products/batch``); SKUs the shop does not carry are reported, not errors.
        Quantities go out as whole units, rounded down (never below zero).

        ``push_id`` names this push (the outbox event id): Shopify's idempotency key is
        derived from it and the batch, so a retry of the same push is the same request while
        a later push of the same numbers is a new one (Shopify would otherwise answer a
        reused key with the earlier result and set nothing). Without it each call uses a fresh
        key, which is safe because the quantities are absolute."""
        ...
