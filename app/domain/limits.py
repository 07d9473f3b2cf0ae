"""What the storage can hold, written down once: input schemas bound every number by these,
and computed values (line totals, stock after an arrival) are checked against them, so a number
the database cannot store is bad input (422), never an overflow inside the database (500).

Quantities are NUMERIC(18, 3), money NUMERIC(18, 4), whole numbers INTEGER (32 bits on
PostgreSQL).
"""

from __future__ import annotations

from decimal import Decimal

QUANTITY_MAX = Decimal("999999999999999.999")
MONEY_MAX = Decimal("99999999999999.9999")
INT32_MAX = 2**31 - 1
# Ages and periods in days: a century is more than any ERP rule needs.
DAYS_MAX = 36_500


def numeric_max(digits: int, places: int) -> Decimal:
    """The largest value a NUMERIC(digits, places) column holds: NUMERIC(12, 3) → 999999999.999."""
    return Decimal(10) ** (digits - places) - Decimal(10) ** -places
