"""Money (DESIGN invariant 4): Decimal only, and one rounding rule, written down here once.

**The rounding rule.** Every monetary amount that Lading stores or shows is rounded to the minor
unit of its currency (2 decimals; 0 for JPY, KRW, VND, …; 3 for BHD, KWD, …) with ROUND_HALF_UP,
at the level of the line. Totals are the sums of their rounded lines and are never rounded again,
so a document always adds up. Unit prices keep up to 4 decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MINOR_UNITS: dict[str, int] = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "UGX": 0,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
    "IQD": 3,
    "LYD": 3,
}
UNIT_PRICE_QUANTUM = Decimal("0.0001")
ZERO = Decimal(0)


def minor_units(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_units(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half up (the one rounding rule)."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def round_unit_price(price: Decimal) -> Decimal:
    return price.quantize(UNIT_PRICE_QUANTUM, rounding=ROUND_HALF_UP)
