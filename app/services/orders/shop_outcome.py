"""What a shop's webhook did, as the webhook route answers it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.auth import ORDERS_PAYMENT, Principal
from app.domain.errors import DomainError
from app.domain.storefronts.orders import PayloadError
from app.repositories.storefronts import StorefrontConnection


@dataclass(frozen=True)
class Refusal:
    code: str  # unknown_sku, currency_mismatch, malformed_payload, ...
    reason: str
    field: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a webhook did: ``accepted`` (an order placed), ``updated``, ``cancelled``,
    ``duplicate``, ``ignored``, ``ping`` or ``rejected`` (with the refusal)."""

    status: str
    order_id: uuid.UUID | None = None
    order_number: str | None = None
    platform_order_id: str | None = None
    rejection: Refusal | None = None


def refused(exc: DomainError | PayloadError, order_id: str | None = None) -> Outcome:
    if isinstance(exc, PayloadError):
        refusal = Refusal("malformed_payload", str(exc), exc.field)
    else:
        issue = exc.issues[0] if exc.issues else None
        code = exc.code
        if issue is not None and issue.field.endswith(".sku"):
            code = "unknown_sku"
        elif issue is not None and issue.rule == "currency_mismatch":
            code = "currency_mismatch"
        detail = "; ".join(f"{i.field}: {i.message}" for i in exc.issues) or exc.detail
        refusal = Refusal(code, detail, issue.field if issue else None)
    return Outcome("rejected", platform_order_id=order_id, rejection=refusal)


SHOP_SCOPES = frozenset({"orders:write", "orders:price-override", ORDERS_PAYMENT})


def shop_principal(connection: StorefrontConnection) -> Principal:
    """Who a shop's webhooks act as: the connection, allowed to place orders at the shop's
    own prices and to report their payment (audit rows name ``storefront:<code>``)."""
    return Principal(
        subject_id=f"storefront:{connection.id}",
        name=connection.code,
        kind="storefront",
        roles=(),
        scopes=SHOP_SCOPES,
        channel=connection.channel,
    )
