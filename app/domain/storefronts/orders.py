"""A shop's order as Lading values (the same shape for every platform), and the helpers the
platform mappings share. A payload Lading cannot read raises :class:`PayloadError` naming the
field: the webhook is answered 200 and kept as a rejected intake with that reason."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

Payment = Literal["paid", "authorized", "unpaid"]
UNIT_PRICE_PLACES = Decimal("0.0001")  # the scale order lines store a unit price in


class PayloadError(ValueError):
    """The payload is not an order Lading can read: ``field`` names where, ``reason`` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class MappedLine:
    """One line of the shop's order. ``key`` is what the SKU mapping is looked up by (the
    platform SKU, else ``product:<id>``); ``unit_price`` is the price actually charged per
    unit after the line's discounts (the storefront's price is the truth for a web order)."""

    line_item_id: str
    key: str
    title: str
    quantity: Decimal
    list_price: Decimal
    discount: Decimal
    unit_price: Decimal


@dataclass(frozen=True)
class ShippingCharge:
    title: str
    amount: Decimal


@dataclass(frozen=True)
class MappedCustomer:
    platform_id: str | None
    email: str | None
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class MappedOrder:
    """What Lading keeps of a shop's order. ``ship_to`` has the keys of Lading's address
    (country, region, city, postcode, street) plus ``recipient`` and ``phone``; ``None``
    when the order ships nowhere."""

    platform: str
    order_id: str
    name: str
    currency: str
    lines: tuple[MappedLine, ...]
    shipping: tuple[ShippingCharge, ...]
    tax_total: Decimal
    total: Decimal
    taxes_included: bool
    payment: Payment
    cancelled: bool
    customer: MappedCustomer
    ship_to: Mapping[str, str] | None
    note: str | None
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def shipping_total(self) -> Decimal:
        return sum((s.amount for s in self.shipping), Decimal(0))

    def notes(self) -> str:
        """The order's notes as Lading shows them: the shop's name of the order, its note,
        tags and shipping lines (shipping is charged by the shop, not by Lading's lines)."""
        parts = [f"{self.platform} order {self.name}"]
        if self.note:
            parts.append(self.note)
        if self.tags:
            parts.append("tags: " + ", ".join(self.tags))
        for s in self.shipping:
            parts.append(f"shipping: {s.title} {s.amount} {self.currency}")
        return "\n".join(parts)[:2000]


def mapping(payload: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise PayloadError(where, "must be an object")
    return payload


def items(payload: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    value = payload.get(key) or []
    if not isinstance(value, list):
        raise PayloadError(key, "must be a list")
    return [mapping(v, f"{key}.{i}") for i, v in enumerate(value)]


def text(payload: Mapping[str, Any], key: str, where: str = "") -> str | None:
    value = payload.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise PayloadError(where + key, "must be text")
    return str(value).strip() or None


def required_text(payload: Mapping[str, Any], key: str, where: str = "") -> str:
    value = text(payload, key, where)
    if value is None:
        raise PayloadError(where + key, "is required")
    return value


def amount(payload: Mapping[str, Any], key: str, where: str = "", default: str = "0") -> Decimal:
    """A money amount given as a decimal string (or number); never a float's noise."""
    value = payload.get(key)
    if value is None or value == "":
        value = default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(where + key, "must be a decimal amount")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PayloadError(where + key, "must be a decimal amount") from None
    if not number.is_finite() or number < 0 or number > Decimal("1e12"):
        raise PayloadError(where + key, "must be an amount from 0 to 10^12")
    return number


def quantity(payload: Mapping[str, Any], where: str) -> Decimal:
    value = payload.get("quantity")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 1_000_000:
        raise PayloadError(where + "quantity", "must be a whole number from 1 to 1000000")
    return Decimal(value)


def charged_unit_price(list_price: Decimal, quantity: Decimal, discount: Decimal) -> Decimal:
    """What one unit really cost: the line's price less its discounts, spread over its units
    (kept to the scale a unit price is stored in)."""
    net = max(list_price * quantity - discount, Decimal(0))
    return (net / quantity).quantize(UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)


def currency(payload: Mapping[str, Any]) -> str:
    code = required_text(payload, "currency")
    if len(code) != 3 or not code.isalpha():
        raise PayloadError("currency", "must be an ISO 4217 code")
    return code.upper()


def tags(value: Any) -> tuple[str, ...]:
    """Shopify's tags are one comma-separated string."""
    if not isinstance(value, str):
        return ()
    return tuple(t.strip() for t in value.split(",") if t.strip())


def full_name(*parts: str | None) -> str:
    return " ".join(p for p in parts if p).strip()
