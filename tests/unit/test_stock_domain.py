"""Stock rules without a database: manual movements, unit precision, availability, the refusal
message and the invariant check of one level against its ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InsufficientStock, RuleViolation
from app.domain.stock import (
    INBOUND,
    MANUAL_KINDS,
    OUTBOUND,
    MovementKind,
    StockPosition,
    available,
    check_quantity_precision,
    insufficient_stock,
    signed_quantity,
    stock_violations,
    total_position,
)

D = Decimal


def rules_of(exc: pytest.ExceptionInfo[RuleViolation]) -> dict[str, str]:
    return {issue.field: issue.rule for issue in exc.value.issues}


@pytest.mark.parametrize(
    ("kind", "quantity", "reason", "expected"),
    [
        (MovementKind.RECEIPT, D("12"), None, D("12")),
        (MovementKind.RECEIPT, D("0.5"), "", D("0.5")),
        (MovementKind.ADJUSTMENT, D("-3"), "broken", D("-3")),
        (MovementKind.ADJUSTMENT, D("2"), "found in aisle 4", D("2")),
    ],
)
def test_signed_quantity_accepts_receipts_and_reasoned_adjustments(
    kind: MovementKind, quantity: Decimal, reason: str | None, expected: Decimal
) -> None:
    assert signed_quantity(kind, quantity, reason) == expected


@pytest.mark.parametrize(
    ("kind", "quantity", "reason", "expected"),
    [
        (MovementKind.RECEIPT, D("0"), None, {"quantity": "greater_than"}),
        (MovementKind.RECEIPT, D("-1"), "returned", {"quantity": "greater_than"}),
        (MovementKind.ADJUSTMENT, D("-1"), None, {"reason": "required"}),
        (MovementKind.ADJUSTMENT, D("-1"), "  ", {"reason": "required"}),
        (MovementKind.ADJUSTMENT, D("0"), None, {"quantity": "not_zero", "reason": "required"}),
        (MovementKind.ISSUE, D("1"), "sold", {"kind": "manual_kind"}),
        (MovementKind.TRANSFER_IN, D("1"), "move", {"kind": "manual_kind"}),
        (MovementKind.RETURN, D("1"), "rma", {"kind": "manual_kind"}),
    ],
)
def test_signed_quantity_reports_every_broken_rule(
    kind: MovementKind, quantity: Decimal, reason: str | None, expected: dict[str, str]
) -> None:
    with pytest.raises(RuleViolation) as exc:
        signed_quantity(kind, quantity, reason)
    assert rules_of(exc) == expected


def test_the_api_offers_exactly_the_domain_kinds() -> None:
    """The schema's enums (the OpenAPI surface) cannot drift from the domain's kinds."""
    from typing import get_args

    from app.schemas.stock import ManualKind, MovementKindName

    assert set(get_args(ManualKind)) == {k.value for k in MANUAL_KINDS}
    assert set(get_args(MovementKindName)) == {k.value for k in MovementKind}
    assert not INBOUND & OUTBOUND
    assert MovementKind.ADJUSTMENT not in INBOUND | OUTBOUND


@pytest.mark.parametrize(
    ("quantity", "precision"),
    [(D("3"), 0), (D("3.000"), 0), (D("1E+1"), 0), (D("-4"), 0), (D("0.125"), 3), (D("2.5"), 1)],
)
def test_quantities_within_the_unit_precision_pass(quantity: Decimal, precision: int) -> None:
    check_quantity_precision(quantity, precision)


@pytest.mark.parametrize(
    ("quantity", "precision", "words"),
    [
        (D("1.5"), 0, "whole units"),
        (D("-0.5"), 0, "whole units"),
        (D("0.1255"), 3, "at most 3 decimal places"),
        (D("2.25"), 1, "at most 1 decimal places"),
    ],
)
def test_quantities_beyond_the_unit_precision_are_refused(
    quantity: Decimal, precision: int, words: str
) -> None:
    with pytest.raises(RuleViolation) as exc:
        check_quantity_precision(quantity, precision, field="lines.0.quantity")
    assert rules_of(exc) == {"lines.0.quantity": "unit_precision"}
    assert words in exc.value.detail


@given(
    units=st.integers(min_value=-(10**12), max_value=10**12),
    precision=st.integers(min_value=0, max_value=3),
    extra=st.integers(min_value=1, max_value=9),
)
def test_precision_property(units: int, precision: int, extra: int) -> None:
    """Any quantity written with at most ``precision`` decimals passes; one more significant
    decimal digit fails."""
    fits = Decimal(units).scaleb(-precision)
    check_quantity_precision(fits, precision)
    too_fine = fits + Decimal(extra).scaleb(-(precision + 1))
    with pytest.raises(RuleViolation):
        check_quantity_precision(too_fine, precision)


def test_available_is_on_hand_minus_reserved() -> None:
    assert available(D("10"), D("4")) == D("6")
    position = StockPosition(D("7.5"), D("1.25"))
    assert position.available == D("6.25")
    assert StockPosition().available == 0


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=10**6, places=3),
            st.decimals(min_value=0, max_value=10**6, places=3),
        ),
        max_size=20,
    )
)
def test_total_position_adds_up(pairs: list[tuple[Decimal, Decimal]]) -> None:
    positions = [StockPosition(max(a, b), min(a, b)) for a, b in pairs]
    total = total_position(positions)
    assert total.on_hand == sum((p.on_hand for p in positions), D(0))
    assert total.reserved == sum((p.reserved for p in positions), D(0))
    assert total.available == sum((p.available for p in positions), D(0))
    assert total.available >= 0


def test_insufficient_stock_names_on_hand_reserved_and_requested() -> None:
    exc = insufficient_stock("SKU-1", "SH1", StockPosition(D("10.000"), D("4")), D("-7"))
    assert isinstance(exc, InsufficientStock) and exc.code == "insufficient_stock"
    assert exc.detail == (
        "Not enough stock of SKU-1 in warehouse SH1: on_hand 10, reserved 4, requested -7: "
        "at most 6 can be taken away."
    )
    assert [(i.field, i.rule) for i in exc.issues] == [("quantity", "insufficient_stock")]


def test_insufficient_stock_never_offers_a_negative_amount() -> None:
    exc = insufficient_stock("S", "W", StockPosition(D("2"), D("3")), D("-1"))
    assert "at most 0 can" in exc.detail


def test_a_level_that_matches_its_ledger_has_no_violations() -> None:
    assert stock_violations("w", "p", D("5"), D("2"), D("5.000")) == []
    assert stock_violations("w", "p", None, None, D("0")) == []


@pytest.mark.parametrize(
    ("on_hand", "reserved", "ledger", "rules", "detail"),
    [
        (
            D("7"),
            D("0"),
            D("5"),
            ["ledger_mismatch"],
            "on_hand 7 differs from the movements' sum 5",
        ),
        (
            D("-1"),
            D("0"),
            D("-1"),
            ["negative_on_hand", "over_reserved"],
            "on_hand -1 is below zero",
        ),
        (D("3"), D("-1"), D("3"), ["negative_reserved"], "reserved -1 is below zero"),
        (D("3"), D("4.500"), D("3"), ["over_reserved"], "reserved 4.5 exceeds on_hand 3"),
        (None, None, D("8"), ["level_missing"], "movements sum to 8 but there is no stock level"),
        (D("1"), D("2"), D("0"), ["ledger_mismatch", "over_reserved"], None),
    ],
)
def test_each_broken_rule_is_reported(
    on_hand: Decimal | None,
    reserved: Decimal | None,
    ledger: Decimal,
    rules: list[str],
    detail: str | None,
) -> None:
    found = stock_violations("w1", "p1", on_hand, reserved, ledger)
    assert [v.rule for v in found] == rules
    assert all((v.warehouse_id, v.product_id) == ("w1", "p1") for v in found)
    if detail is not None:
        assert found[0].detail == detail
