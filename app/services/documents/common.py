"""What the warehouse documents share: how quantities, addresses,
contacts and times are written on paper."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def quantity(value: Decimal | None) -> str:
    """``Decimal("12.000")`` → ``12``; ``1.50`` → ``1.5``."""
    if value is None:
        return ""
    return f"{value.normalize():f}"


def weight(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.001')).normalize():f}"


def address(place: dict[str, Any] | None, language: str) -> str:
    """A postal address as one line: province city district street (postcode) in Chinese,
    street, district, city, region postcode, country otherwise."""
    if not place:
        return ""
    get = place.get
    if language == "en":
        parts = [get("street"), get("district"), get("city"), get("region"), get("postcode")]
        return ", ".join(str(p) for p in [*parts, get("country")] if p)
    text = "".join(str(p) for p in (get("region"), get("city"), get("district")) if p)
    text = f"{text} {get('street') or ''}".strip()
    return f"{text} ({get('postcode')})" if get("postcode") else text


def contact(contacts: list[dict[str, Any]] | None) -> tuple[str, str]:
    """(name, phone) of the first contact."""
    first = (contacts or [{}])[0]
    return str(first.get("name") or ""), str(first.get("phone") or "")


def timestamp(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def package_items(contents: list[dict[str, Any]]) -> Decimal:
    """How many items a package holds (the sum of its contents' quantities)."""
    return sum((Decimal(str(c.get("quantity") or 0)) for c in contents), start=Decimal(0))


def dimensions(length: Decimal, width: Decimal, height: Decimal) -> str:
    return f"{quantity(length)} × {quantity(width)} × {quantity(height)}"
