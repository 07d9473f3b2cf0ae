"""Receivables aging (账龄) and days sales outstanding.

An open invoice falls in a bucket by how many days past its due date it is on the report
date: *current* (not yet due, or due that day), 1–30, 31–60, 61–90 and over 90 days past due.
DSO is the receivables open on the report date divided by what was invoiced over the last
``days`` days, times ``days`` — invoice totals (with VAT) on both sides, so the ratio compares
like with like; None when nothing was invoiced in the window.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from app.domain.money import ZERO


class Bucket(StrEnum):
    CURRENT = "current"
    DAYS_1_30 = "days_1_30"
    DAYS_31_60 = "days_31_60"
    DAYS_61_90 = "days_61_90"
    OVER_90 = "over_90"


# (bucket, fewest days past due, most days past due); None: no bound.
BUCKET_DAYS: tuple[tuple[Bucket, int | None, int | None], ...] = (
    (Bucket.CURRENT, None, 0),
    (Bucket.DAYS_1_30, 1, 30),
    (Bucket.DAYS_31_60, 31, 60),
    (Bucket.DAYS_61_90, 61, 90),
    (Bucket.OVER_90, 91, None),
)

DSO_PLACES = Decimal("0.1")
DSO_DAYS_DEFAULT = 90


def days_past_due(due: date, as_of: date) -> int:
    return (as_of - due).days


def bucket_of(due: date, as_of: date) -> Bucket:
    """The bucket of an invoice due on ``due``, on ``as_of``."""
    late = days_past_due(due, as_of)
    for bucket, fewest, most in BUCKET_DAYS:
        if (fewest is None or late >= fewest) and (most is None or late <= most):
            return bucket
    raise AssertionError("the buckets cover every number of days")  # pragma: no cover


def due_date_bounds(as_of: date) -> list[tuple[Bucket, date | None, date | None]]:
    """Each bucket as a range of due dates on ``as_of`` (earliest, latest; None: open), so a
    database can sort invoices into buckets with the same rule as :func:`bucket_of`."""
    out: list[tuple[Bucket, date | None, date | None]] = []
    for bucket, fewest, most in BUCKET_DAYS:
        earliest = as_of - timedelta(days=most) if most is not None else None
        latest = as_of - timedelta(days=fewest) if fewest is not None else None
        out.append((bucket, earliest, latest))
    return out


@dataclass
class Aged:
    """Open amounts per bucket, in one currency."""

    amounts: dict[Bucket, Decimal] = field(default_factory=lambda: {b: ZERO for b in Bucket})

    def add(self, bucket: Bucket, amount: Decimal) -> None:
        self.amounts[bucket] += amount

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


def age(items: Iterable[tuple[date, Decimal]], as_of: date) -> Aged:
    """Open amounts (due date, amount) sorted into buckets on ``as_of``."""
    aged = Aged()
    for due, amount in items:
        aged.add(bucket_of(due, as_of), amount)
    return aged


def revenue_window(as_of: date, days: int) -> tuple[date, date]:
    """The ``days`` days ending on ``as_of`` (both ends included)."""
    return as_of - timedelta(days=days - 1), as_of


def dso(receivables: Decimal, invoiced: Decimal, days: int) -> Decimal | None:
    """Days sales outstanding: receivables ÷ invoiced in the last ``days`` days × ``days``,
    to a tenth of a day; None when nothing was invoiced."""
    if invoiced <= 0:
        return None
    return (receivables / invoiced * days).quantize(DSO_PLACES, rounding=ROUND_HALF_UP)
