"""Pricing rules, with properties proved by hypothesis: totals are the sums of rounded lines,
and no input produces a negative amount."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import RuleViolation
from app.domain.money import round_money
from app.domain.pricing import (
    PriceBreak,
    PriceSource,
    order_totals,
    price_line,
    resolve_unit_price,
)

D = Decimal
TODAY = date(2026, 11, 22)


def test_customer_list_beats_group_list_beats_list_price() -> None:
    customer = [PriceBreak(D("8.00"))]
    group = [PriceBreak(D("9.00"))]
    assert (
        resolve_unit_price(
            D(1), TODAY, list_price=D(10), customer_breaks=customer, group_breaks=group
        ).source
        is PriceSource.CUSTOMER_LIST
    )
    assert resolve_unit_price(D(1), TODAY, list_price=D(10), group_breaks=group).unit_price == D(
        "9.00"
    )
    assert resolve_unit_price(D(1), TODAY, list_price=D(10)).source is PriceSource.LIST_PRICE


def test_highest_reached_quantity_break_wins() -> None:
    breaks = [PriceBreak(D("10")), PriceBreak(D("9"), D(10)), PriceBreak(D("8"), D(100))]
    assert resolve_unit_price(
        D(9), TODAY, list_price=D(12), customer_breaks=breaks
    ).unit_price == D(10)
    assert resolve_unit_price(
        D(10), TODAY, list_price=D(12), customer_breaks=breaks
    ).unit_price == D(9)
    assert resolve_unit_price(
        D(500), TODAY, list_price=D(12), customer_breaks=breaks
    ).unit_price == D(8)


def test_items_outside_their_validity_are_ignored() -> None:
    expired = PriceBreak(D("5"), valid_to=date(2026, 1, 1))
    future = PriceBreak(D("6"), valid_from=date(2027, 1, 1))
    current = PriceBreak(D("7"), valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31))
    assert (
        resolve_unit_price(D(1), TODAY, list_price=D(12), customer_breaks=[expired, future]).source
        is PriceSource.LIST_PRICE
    )
    assert resolve_unit_price(
        D(1), TODAY, list_price=D(12), customer_breaks=[expired, future, current]
    ).unit_price == D(7)


def test_tax_exclusive_line() -> None:
    line = price_line(
        D(3), D("19.99"), tax_rate=D("0.13"), currency="CNY", line_discount_percent=D(10)
    )
    assert line.gross_before_discount == D("59.97")
    assert line.net == D("53.97")  # 59.973 × 0.9 = 53.973 → 53.97
    assert line.discount == D("6.00")
    assert line.tax == D("7.02")  # 53.97 × 0.13 = 7.0161 → 7.02
    assert line.total == D("60.99")


def test_tax_inclusive_line_extracts_the_tax() -> None:
    line = price_line(D(1), D("113.00"), tax_rate=D("0.13"), currency="CNY", tax_inclusive=True)
    assert (line.net, line.tax, line.total) == (D("100.00"), D("13.00"), D("113.00"))


def test_half_up_to_the_currency_minor_unit() -> None:
    assert round_money(D("0.125"), "USD") == D("0.13")
    assert round_money(D("12.5"), "JPY") == D("13")
    assert round_money(D("1.0005"), "KWD") == D("1.001")


def test_line_and_order_discounts_compound() -> None:
    line = price_line(
        D(1),
        D(100),
        tax_rate=D(0),
        currency="EUR",
        line_discount_percent=D(10),
        order_discount_percent=D(10),
    )
    assert line.net == D("81.00")


@pytest.mark.parametrize("percent", [D(-1), D("100.01")])
def test_discount_outside_0_to_100_is_refused(percent: Decimal) -> None:
    with pytest.raises(RuleViolation):
        price_line(D(1), D(1), tax_rate=D(0), currency="EUR", line_discount_percent=percent)


quantities = st.decimals(min_value=0, max_value=100000, places=3, allow_nan=False)
prices = st.decimals(min_value=0, max_value=1000000, places=4, allow_nan=False)
rates = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False)
discounts = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
currencies = st.sampled_from(["CNY", "USD", "JPY", "KWD"])


@given(
    st.lists(st.tuples(quantities, prices, rates, discounts), min_size=1, max_size=20),
    discounts,
    currencies,
    st.booleans(),
)
def test_totals_are_sums_of_rounded_lines_and_never_negative(
    raw_lines, order_discount, currency, inclusive
) -> None:
    lines = [
        price_line(
            q,
            p,
            tax_rate=r,
            currency=currency,
            line_discount_percent=d,
            order_discount_percent=order_discount,
            tax_inclusive=inclusive,
        )
        for q, p, r, d in raw_lines
    ]
    totals = order_totals(lines)
    for line in lines:
        for amount in (line.gross_before_discount, line.discount, line.net, line.tax, line.total):
            assert amount >= 0
            assert amount == round_money(amount, currency)
        assert line.total == line.net + line.tax
        assert line.gross_before_discount - line.discount >= 0
    assert totals.total == sum(line.total for line in lines)
    assert totals.net == sum(line.net for line in lines)
    assert totals.tax == sum(line.tax for line in lines)
    assert totals.total == totals.net + totals.tax
    assert totals.total >= 0
