"""The after-sales report's pure rules: which units count as returned, refund shares to the
cent, return rates and hours to resolve."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.domain.reports import after_sales as rules

D = Decimal


def test_returned_units_follow_the_return() -> None:
    assert rules.returned_units("requested", D(3), None) == 3  # open: what it asks for
    assert rules.returned_units("approved", D(3), None) == 3
    assert rules.returned_units("received", D(3), D(1)) == 1  # what came back
    assert rules.returned_units("resolved", D(3), None) == 0
    assert rules.returned_units("refused", D(3), None) == 0
    assert rules.returned_units("cancelled", D(3), None) == 0
    assert rules.received_units("approved", None) == 0
    assert rules.received_units("resolved", D(2)) == 2
    assert not rules.counted("refused") and rules.counted("approved")


def test_shares_are_cents_that_add_up() -> None:
    assert rules.share(D("35.00"), [D(10), D(25)]) == [D("10.00"), D("25.00")]
    assert rules.share(D("10.00"), [D(1), D(1), D(1)]) == [D("3.34"), D("3.33"), D("3.33")]
    assert rules.share(D("1.00"), [D(0), D(0)]) == [D("0.50"), D("0.50")]
    assert rules.share(D("5"), []) == []


@given(
    st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2),
    st.lists(st.decimals(min_value=D(0), max_value=D(1000), places=3), min_size=1, max_size=8),
)
def test_shares_always_sum_to_the_amount(amount: Decimal, weights: list[Decimal]) -> None:
    shares = rules.share(amount, weights)
    assert sum(shares) == amount and all(s >= 0 for s in shares)
    assert all(s == s.quantize(D("0.01")) for s in shares)


def test_return_rate_and_hours_to_resolve() -> None:
    assert rules.return_rate(D(1), D(3)) == D("0.3333")
    assert rules.return_rate(D(1), D(0)) is None
    opened = datetime(2026, 3, 4, 8, tzinfo=UTC)
    assert rules.resolve_hours(opened, datetime(2026, 3, 5, 14, 59, tzinfo=UTC)) == 30
    assert rules.resolve_hours(opened, None) is None
