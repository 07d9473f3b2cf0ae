"""Product rules, without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import RuleViolation, UnknownReference
from app.domain.products import GoodsClass, ProductTerms, check_product, product_issues

D = Decimal


def terms(**overrides) -> ProductTerms:
    values = {"sku": "P1", "uom_precision": 0, "list_price": D("10.00")} | overrides
    return ProductTerms(**values)


def rules(issues) -> set[tuple[str, str]]:
    return {(i.field, i.rule) for i in issues}


def test_a_valid_product_breaks_nothing() -> None:
    product = terms(
        floor_price=D("10"), reorder_point=D(5), reorder_quantity=D("20.000"), substitutes=("P2",)
    )
    assert product_issues(product, {"P2"}) == []
    check_product(product, {"P2"})


def test_floor_price_may_equal_but_not_exceed_the_list_price() -> None:
    assert product_issues(terms(floor_price=D("10.0000")), set()) == []
    assert rules(product_issues(terms(floor_price=D("10.01")), set())) == {
        ("floor_price", "not_above_list_price")
    }


@pytest.mark.parametrize(
    ("precision", "quantity", "ok"),
    [
        (0, D("12"), True),
        (0, D("12.000"), True),
        (0, D("12.5"), False),
        (1, D("12.5"), True),
        (2, D("0.125"), False),
        (3, D("0.125"), True),
    ],
)
def test_reorder_quantities_respect_the_unit_precision(precision, quantity, ok) -> None:
    issues = product_issues(terms(uom_precision=precision, reorder_quantity=quantity), set())
    assert (issues == []) is ok
    if not ok:
        assert rules(issues) == {("reorder_quantity", "unit_precision")}


def test_substitutes_exist_are_not_the_product_and_are_named_once() -> None:
    issues = product_issues(terms(substitutes=("P2", "P1", "P2", "NOPE")), {"P2"})
    assert rules(issues) == {
        ("substitutes.1", "not_self"),
        ("substitutes.2", "unique"),
        ("substitutes.3", "exists"),
    }


def test_only_unknown_references_raise_unknown_reference() -> None:
    with pytest.raises(UnknownReference) as unknown:
        check_product(terms(substitutes=("NOPE",)), set())
    assert unknown.value.code == "unknown_reference"
    with pytest.raises(RuleViolation) as mixed:
        check_product(terms(substitutes=("NOPE",), floor_price=D(11)), set())
    assert not isinstance(mixed.value, UnknownReference)
    assert len(mixed.value.issues) == 2


def test_goods_classes() -> None:
    assert [g.value for g in GoodsClass] == [
        "general",
        "fragile",
        "hazardous",
        "cold_chain",
        "oversize",
    ]


def test_currencies_are_iso_4217_codes_one_can_invoice_in() -> None:
    from app.domain.currencies import is_currency

    assert all(is_currency(code) for code in ("CNY", "USD", "EUR", "JPY", "HKD", "KWD"))
    assert not any(is_currency(code) for code in ("RMB", "cny", "XAU", "XXX", "ABC", ""))
