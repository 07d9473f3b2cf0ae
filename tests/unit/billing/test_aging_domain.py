"""Aging buckets and DSO, without a database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.domain.billing.aging import (
    Bucket,
    age,
    bucket_of,
    days_past_due,
    dso,
    due_date_bounds,
    revenue_window,
)

D = Decimal
AS_OF = date(2026, 6, 30)


def test_buckets_at_their_edges() -> None:
    cases = {
        date(2026, 7, 15): Bucket.CURRENT,  # not yet due
        date(2026, 6, 30): Bucket.CURRENT,  # due today: not past due
        date(2026, 6, 29): Bucket.DAYS_1_30,
        date(2026, 5, 31): Bucket.DAYS_1_30,  # 30 days
        date(2026, 5, 30): Bucket.DAYS_31_60,  # 31 days
        date(2026, 5, 1): Bucket.DAYS_31_60,  # 60 days
        date(2026, 4, 30): Bucket.DAYS_61_90,  # 61 days
        date(2026, 4, 1): Bucket.DAYS_61_90,  # 90 days
        date(2026, 3, 31): Bucket.OVER_90,  # 91 days
        date(2020, 1, 1): Bucket.OVER_90,
    }
    assert {due: bucket_of(due, AS_OF) for due in cases} == cases
    assert days_past_due(date(2026, 3, 31), AS_OF) == 91


@given(st.integers(min_value=-400, max_value=400))
def test_the_database_bounds_sort_as_the_rule_does(offset: int) -> None:
    """Each due date falls in exactly one range of ``due_date_bounds``: the bucket of
    ``bucket_of``."""
    due = AS_OF + timedelta(days=offset)
    matching = [
        b
        for b, lo, hi in due_date_bounds(AS_OF)
        if (lo is None or due >= lo) and (hi is None or due <= hi)
    ]
    assert matching == [bucket_of(due, AS_OF)]


def test_age_sums_each_bucket_and_the_total() -> None:
    aged = age(
        [
            (date(2026, 7, 1), D("100.00")),
            (date(2026, 6, 1), D("20.00")),
            (date(2026, 6, 2), D("5.50")),
            (date(2026, 1, 1), D("1.00")),
        ],
        AS_OF,
    )
    assert aged.amounts == {
        Bucket.CURRENT: D("100.00"),
        Bucket.DAYS_1_30: D("25.50"),
        Bucket.DAYS_31_60: D(0),
        Bucket.DAYS_61_90: D(0),
        Bucket.OVER_90: D("1.00"),
    }
    assert aged.total == D("126.50")


def test_dso() -> None:
    # 1395 open against 678 invoiced in 90 days: 1395 / 678 × 90 = 185.177 → 185.2.
    assert dso(D("1395"), D("678"), 90) == D("185.2")
    # Half of a month's sales open: 15 days.
    assert dso(D("50"), D("100"), 30) == D("15.0")
    assert dso(D("0"), D("100"), 30) == D("0.0")
    assert dso(D("10"), D("0"), 90) is None


def test_the_revenue_window_is_the_last_n_days_with_both_ends() -> None:
    assert revenue_window(AS_OF, 90) == (date(2026, 4, 2), AS_OF)
    first, last = revenue_window(AS_OF, 1)
    assert first == last == AS_OF
