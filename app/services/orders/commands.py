"""The commands of order intake: what a caller asks, in plain and domain values.

Routers build them from the request schemas (``OrderCreate.to_command()``, ...), the batch
import from its rows; the use cases never see an HTTP model.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

from app.domain.auth import Principal
from app.domain.money import ZERO
from app.domain.orders import Channel, RequestedLine
from app.domain.payments import PaymentReport


@dataclass(frozen=True, kw_only=True)
class CustomerRef:
    """The customer, by id or by code (the schema makes sure exactly one is given)."""

    id: uuid.UUID | None = None
    code: str | None = None


@dataclass(frozen=True, kw_only=True)
class GivenPayment:
    """A payment reported with a new order (prepaid channels)."""

    status: PaymentReport
    reference: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True, kw_only=True)
class PlaceOrder:
    """Create an order (and submit it at once with ``submit``), exactly once per
    ``idempotency_key`` and per (channel, external_ref). ``ship_to`` is an address as plain
    fields (``None`` values left out)."""

    principal: Principal
    idempotency_key: str | None = None
    channel: Channel
    external_ref: str | None = None
    customer: CustomerRef
    ship_to: Mapping[str, Any] | None = None
    ship_to_id: str | None = None
    requested_delivery_date: date | None = None
    currency: str | None = None
    lines: tuple[RequestedLine, ...]
    discount_percent: Decimal = ZERO
    payment: GivenPayment | None = None
    priority: int = 0
    notes: str | None = None
    submit: bool = False


@dataclass(frozen=True, kw_only=True)
class EditOrder:
    """Edit an order and re-price it. Only the fields named in ``given`` change (a field left
    out stays as it is; ``requested_delivery_date`` and ``notes`` may be given as None);
    ``lines``, when given, replaces every line."""

    principal: Principal
    order_id: uuid.UUID
    expected_version: int
    given: frozenset[str] = frozenset()
    ship_to: Mapping[str, Any] | None = None
    ship_to_id: str | None = None
    requested_delivery_date: date | None = None
    lines: tuple[RequestedLine, ...] | None = None
    discount_percent: Decimal | None = None
    priority: int | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class SubmitOrder:
    """Submit a draft: review decides its status."""

    principal: Principal
    order_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CancelOrder:
    """Cancel an order (until anything has shipped), with a reason."""

    principal: Principal
    order_id: uuid.UUID
    reason: str


# How one imported order document becomes the command ``POST /orders`` would send for it:
# ``(document, principal) -> PlaceOrder``, raising a ``DomainError`` whose issues name what is
# wrong with the document. The router gives the HTTP schema's reader, so an imported order is
# checked exactly as a posted one.
OrderReader = Callable[[Mapping[str, Any], Principal], PlaceOrder]


@dataclass(frozen=True, kw_only=True)
class ImportOrders:
    """Place every order of a CSV or JSON Lines file, each in its own transaction."""

    principal: Principal
    upload: IO[bytes] = field(repr=False)
    fmt: str
    charset: str | None = None
    detected_utf8: bool
    starts_with_bom: bool
    channel: str
    submit: bool = False
    read_order: OrderReader = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class ShortCloseOrder:
    """Close an order partly shipped: what it has not shipped never will be, with a reason."""

    principal: Principal
    order_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class ReplaceReturn:
    """Send what arrived of a received return again, at no charge, on a new order."""

    principal: Principal
    return_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ExchangeReturn:
    """Send the SKUs a received return asked for instead of what arrived, on a new order."""

    principal: Principal
    return_id: uuid.UUID
