"""Figures a report derives: percentiles from a histogram, rates, period-over-period change."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal

RATE_PLACES = Decimal("0.0001")
MONEY_PLACES = Decimal("0.01")


def percentile(histogram: Mapping[int, int], q: float) -> int | None:
    """The nearest-rank ``q`` percentile (0 < q ≤ 1) of values given as value → count."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, -(-int(q * total * 1000) // 1000))  # ceil(q × total), exact for q in 0.01s
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` to four places; None when nothing was counted."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)


def ratio(amount: Decimal, count: int) -> Decimal | None:
    """An average amount (average order value) to the cent."""
    if count == 0:
        return None
    return (amount / count).quantize(MONEY_PLACES, rounding=ROUND_HALF_EVEN)


def change(current: Decimal, previous: Decimal) -> Decimal | None:
    """Change over the previous period as a fraction (0.25 = +25 %); None from nothing."""
    if previous == 0:
        return None
    return ((current - previous) / previous).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)


# Ages (days since the order) the backlog is counted in: (label, first day, last day or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-1", 0, 1),
    ("2-3", 2, 3),
    ("4-7", 4, 7),
    ("8-14", 8, 14),
    ("15-30", 15, 30),
    ("31+", 31, None),
)


def age_bucket(days: int) -> str:
    """The backlog bucket of an order ``days`` old (a future-dated one counts as new)."""
    for label, _first, last in AGE_BUCKETS:
        if last is None or days <= last:
            return label
    return AGE_BUCKETS[-1][0]


def days_of_cover(available: Decimal, issued: Decimal, days: int) -> Decimal | None:
    """How many days what is available lasts at the range's average daily issues."""
    if issued <= 0 or days <= 0:
        return None
    return (available * days / issued).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


def turnover(issued: Decimal, on_hand: Decimal) -> Decimal | None:
    """Issues over the range per unit on hand now (a turnover ratio for the range)."""
    if on_hand <= 0:
        return None
    return (issued / on_hand).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)
