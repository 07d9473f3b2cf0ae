"""What the checks share: amounts read back from sums, and quantities in words."""

from __future__ import annotations

from decimal import Decimal


def amount(value: object) -> Decimal:
    """An amount read back from a sum (SQLite sums as floating point), at the money scale."""
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def plain(value: object) -> str:
    return format(Decimal(str(value)).normalize(), "f")
