"""Who may see which event of the live stream, and the subject an event takes on NATS.

An event is seen by a caller holding the read permission of the resource it is about: the
permission the API asks to read that resource (``GET /orders`` needs ``orders:read``, so does an
``order.*`` event). The first prefix that matches an event type decides; an event type no prefix
matches is the administrators' (a new kind of event is shown to no one else until someone
decides who may see it)."""

from __future__ import annotations

import re

ADMIN = "admin"

# (event type prefix, the scope a caller needs to see it), as the routers read the resource.
EVENT_SCOPES: tuple[tuple[str, str], ...] = (
    ("order.", "orders:read"),
    ("settings.", "orders:read"),  # the review settings: GET /settings/review reads orders:read
    ("company_settings.", "admin"),  # the company settings are the administrator's
    ("shipment.", "stock:read"),
    ("delivery_plan.", "stock:read"),
    ("delivery_route.", "stock:read"),
    ("delivery_stop.", "stock:read"),
    ("pick_list.", "stock:read"),
    ("transfer.", "stock:read"),
    ("stock.", "stock:read"),
    ("purchase_order.", "stock:read"),
    ("bin_location.", "warehouses:read"),
    ("warehouse.", "warehouses:read"),
    ("carrier.", "warehouses:read"),
    ("vehicle.", "warehouses:read"),
    ("exchange_rate.", "warehouses:read"),
    ("customer.", "customers:read"),
    ("supplier.", "suppliers:read"),
    ("product.", "products:read"),
    ("price_list.", "price-lists:read"),
    ("invoice.", "invoices:read"),
    ("credit_note.", "invoices:read"),
    ("payment.", "payments:read"),
    ("refund.", "payments:read"),
    ("alert.", "alerts:read"),
    # a shop's refused webhooks and the calls back to it are about its orders
    ("storefront.", "orders:read"),
    ("storefront_connection.", ADMIN),
    ("case.", "cases:read"),
    ("feedback.", "cases:read"),
    ("return.", "returns:read"),
    ("production.", "production:read"),
    ("user.", ADMIN),
    ("api_key.", ADMIN),
    ("endpoint.", ADMIN),
    ("notification_template.", ADMIN),
)


def mapped_scope(event_type: str) -> str | None:
    """The scope the table gives ``event_type``; None when no prefix matches."""
    for prefix, scope in EVENT_SCOPES:
        if event_type.startswith(prefix):
            return scope
    return None


def scope_to_see(event_type: str) -> str:
    """The scope a caller needs to see an event of this type (admin when unmapped)."""
    return mapped_scope(event_type) or ADMIN


def may_see(event_type: str, scopes: frozenset[str]) -> bool:
    """Whether a caller holding ``scopes`` sees events of ``event_type``."""
    return ADMIN in scopes or scope_to_see(event_type) in scopes


_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")


def subject_for(prefix: str, event_type: str) -> str:
    """The NATS subject of an event: ``<prefix>.<event type>`` (``lading.order.created``).
    Every dot-separated token must be a plain word: a wildcard (``*``, ``>``), a space or an
    empty token would make the subject something else than one event type."""
    subject = f"{prefix}.{event_type}"
    if not all(_TOKEN.match(token) for token in subject.split(".")):
        raise ValueError(f"{subject!r} is not a NATS subject of plain tokens")
    return subject
