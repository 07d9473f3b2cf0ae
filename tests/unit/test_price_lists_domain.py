"""Price list rules, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.domain.errors import RuleViolation, UnknownReference
from app.domain.price_lists import (
    ItemDraft,
    PriceListKind,
    check_price_list,
    header_issues,
    item_issues,
)

D = Decimal
PRECISION = {"BOLT": 0, "CABLE": 2}


def rules(issues) -> list[tuple[str, str]]:
    return [(i.field, i.rule) for i in issues]


def test_valid_items_break_nothing() -> None:
    items = [
        ItemDraft("BOLT", D("1.20")),
        ItemDraft("BOLT", D("1.10"), D(100)),
        ItemDraft("BOLT", D("1.00"), D(100), date(2026, 1, 1), date(2026, 1, 1)),
        ItemDraft("CABLE", D("3.5"), D("0.25")),
    ]
    assert item_issues(items, PRECISION) == []
    check_price_list(PriceListKind.CUSTOMER, None, items, PRECISION)


def test_unknown_sku_is_named_by_position() -> None:
    issues = item_issues([ItemDraft("BOLT", D(1)), ItemDraft("NOPE", D(1))], PRECISION)
    assert rules(issues) == [("items.1.sku", "exists")]
    with pytest.raises(UnknownReference):
        check_price_list(PriceListKind.CUSTOMER, None, [ItemDraft("NOPE", D(1))], PRECISION)


def test_valid_from_must_not_be_after_valid_to() -> None:
    late = ItemDraft("BOLT", D(1), valid_from=date(2026, 6, 2), valid_to=date(2026, 6, 1))
    assert rules(item_issues([late], PRECISION)) == [("items.0.valid_to", "not_before_valid_from")]
    open_ended = ItemDraft("BOLT", D(1), valid_to=date(2026, 6, 1))
    assert item_issues([open_ended], PRECISION) == []


def test_the_same_sku_quantity_and_start_twice_is_refused() -> None:
    items = [
        ItemDraft("BOLT", D(1), D(10), date(2026, 1, 1)),
        ItemDraft("BOLT", D(2), D(10), date(2026, 2, 1)),
        ItemDraft("BOLT", D(3), D("10.000"), date(2026, 1, 1)),
        ItemDraft("BOLT", D(4), D(10)),
        ItemDraft("BOLT", D(5), D(10)),
    ]
    assert rules(item_issues(items, PRECISION)) == [
        ("items.2", "unique_item"),
        ("items.4", "unique_item"),
    ]


def test_quantity_breaks_fit_the_unit_and_nothing_is_negative() -> None:
    items = [
        ItemDraft("BOLT", D(1), D("2.5")),
        ItemDraft("CABLE", D(1), D("2.505")),
        ItemDraft("CABLE", D("-0.01"), D("-1")),
    ]
    assert rules(item_issues(items, PRECISION)) == [
        ("items.0.min_quantity", "unit_precision"),
        ("items.1.min_quantity", "unit_precision"),
        ("items.2.unit_price", "not_negative"),
        ("items.2.min_quantity", "not_negative"),
    ]


@pytest.mark.parametrize(
    ("kind", "group", "expected"),
    [
        (PriceListKind.GROUP, "vip", []),
        (PriceListKind.CUSTOMER, None, []),
        (PriceListKind.GROUP, None, [("customer_group", "required")]),
        (PriceListKind.GROUP, "", [("customer_group", "required")]),
        (PriceListKind.CUSTOMER, "vip", [("customer_group", "group_lists_only")]),
    ],
)
def test_a_group_list_and_only_a_group_list_names_a_group(kind, group, expected) -> None:
    assert rules(header_issues(kind, group)) == expected


def test_every_issue_is_reported_at_once() -> None:
    with pytest.raises(RuleViolation) as raised:
        check_price_list(
            PriceListKind.GROUP,
            None,
            [ItemDraft("NOPE", D(1)), ItemDraft("BOLT", D(1), D("0.5"))],
            PRECISION,
        )
    assert not isinstance(raised.value, UnknownReference)
    assert rules(raised.value.issues) == [
        ("customer_group", "required"),
        ("items.0.sku", "exists"),
        ("items.1.min_quantity", "unit_precision"),
    ]
