"""Transfer rules without a database: route, line validation and merging, the state checks,
and how a receipt (partial, final with a discrepancy) moves every line forward."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InvalidState, RuleViolation
from app.domain.transfers import (
    LineProgress,
    TransferStatus,
    check_can_cancel,
    check_can_ship,
    check_route,
    format_transfer_number,
    merge_lines,
    plan_receipt,
    receipt_status,
)

D = Decimal


def rules_of(exc: pytest.ExceptionInfo[RuleViolation]) -> dict[str, str]:
    return {issue.field: issue.rule for issue in exc.value.issues}


def test_transfer_numbers_are_zero_padded_per_year() -> None:
    assert format_transfer_number(2026, 123) == "TR-2026-000123"
    assert format_transfer_number(2027, 1234567) == "TR-2027-1234567"


def test_route_needs_two_different_warehouses() -> None:
    check_route("SH", "BJ")
    with pytest.raises(RuleViolation) as exc:
        check_route("SH", "SH")
    assert rules_of(exc) == {"to_warehouse": "different_warehouse"}


def test_merge_lines_adds_repeated_products_in_first_seen_order() -> None:
    merged = merge_lines([("A", D("2")), ("B", D("1.5")), ("A", D("3"))], {"A": 0, "B": 1})
    assert merged == [("A", D("5")), ("B", D("1.5"))]


def test_merge_lines_reports_every_bad_line_at_once() -> None:
    with pytest.raises(RuleViolation) as exc:
        merge_lines(
            [("A", D("0")), ("B", D("-1")), ("A", D("1.5")), ("C", D("1.25"))],
            {"A": 0, "B": 0, "C": 2},
        )
    assert rules_of(exc) == {
        "lines.0.quantity": "greater_than",
        "lines.1.quantity": "greater_than",
        "lines.2.quantity": "unit_precision",
    }


def test_merge_lines_refuses_an_empty_transfer() -> None:
    with pytest.raises(RuleViolation) as exc:
        merge_lines([])
    assert rules_of(exc) == {"lines": "min_length"}


@given(
    st.lists(
        st.tuples(st.sampled_from("ABCD"), st.integers(min_value=1, max_value=10_000)),
        min_size=1,
        max_size=20,
    )
)
def test_merging_keeps_the_total_per_product(lines: list[tuple[str, int]]) -> None:
    merged = merge_lines([(k, D(q)) for k, q in lines])
    assert len({k for k, _ in merged}) == len(merged)
    for key, total in merged:
        assert total == sum(D(q) for k, q in lines if k == key)


def test_only_a_draft_ships_or_is_cancelled() -> None:
    check_can_ship("draft")
    check_can_cancel("draft")
    for status in ("shipped", "partially_received", "received", "cancelled"):
        with pytest.raises(InvalidState):
            check_can_ship(status)
        with pytest.raises(InvalidState):
            check_can_cancel(status)


def test_partial_then_complete_receipt() -> None:
    progress = {"A": LineProgress(D(10)), "B": LineProgress(D(4))}
    plan = plan_receipt("shipped", progress, [("A", D(6), None)], final=False)
    assert plan.status is TransferStatus.PARTIALLY_RECEIVED
    assert [(o.key, o.arrived) for o in plan.arrived] == [("A", D(6))]
    after = {str(o.key): o.progress for o in plan.lines}
    assert after["A"] == LineProgress(D(10), D(6)) and after["B"] == LineProgress(D(4))

    plan = plan_receipt(
        "partially_received", after, [("A", D(4), None), ("B", D(4), None)], final=False
    )
    assert plan.status is TransferStatus.RECEIVED
    assert all(o.progress.settled and o.discrepancy_note is None for o in plan.lines)


def test_final_receipt_writes_off_what_is_still_in_transit() -> None:
    progress = {"A": LineProgress(D(10), D(6)), "B": LineProgress(D(4))}
    plan = plan_receipt(
        "partially_received",
        progress,
        [("A", D(3), "one carton crushed")],
        final=True,
        note="lost in transit",
    )
    assert plan.status is TransferStatus.RECEIVED
    lines = {o.key: o for o in plan.lines}
    assert lines["A"].progress == LineProgress(D(10), D(9), D(1))
    assert lines["A"].discrepancy_note == "one carton crushed"
    assert lines["B"].progress == LineProgress(D(4), D(0), D(4))
    assert lines["B"].discrepancy_note == "lost in transit"
    assert lines["B"].arrived == 0


def test_receipt_cannot_exceed_what_is_in_transit() -> None:
    progress = {"A": LineProgress(D(10), D(8))}
    with pytest.raises(RuleViolation) as exc:
        plan_receipt("partially_received", progress, [("A", D(3), None)], final=False)
    assert rules_of(exc) == {"lines.0.quantity": "within_outstanding"}
    # Repeated lines add up before the check.
    with pytest.raises(RuleViolation) as exc:
        plan_receipt("shipped", progress, [("A", D(1), None), ("A", D(2), None)], final=False)
    assert rules_of(exc) == {"lines.1.quantity": "within_outstanding"}


def test_receipt_refuses_unknown_lines_bad_quantities_and_empty_non_final_receipts() -> None:
    progress = {"A": LineProgress(D(10))}
    with pytest.raises(RuleViolation) as exc:
        plan_receipt(
            "shipped",
            progress,
            [(None, D(1), None), ("A", D(0), None), ("A", D("0.5"), None)],
            final=False,
            precisions={"A": 0},
        )
    assert rules_of(exc) == {
        "lines.0.sku": "on_transfer",
        "lines.1.quantity": "greater_than",
        "lines.2.quantity": "unit_precision",
    }
    with pytest.raises(RuleViolation) as exc:
        plan_receipt("shipped", progress, [], final=False)
    assert rules_of(exc) == {"lines": "min_length"}


@pytest.mark.parametrize("status", ["draft", "received", "cancelled"])
def test_only_a_shipped_transfer_can_be_received(status: str) -> None:
    with pytest.raises(InvalidState):
        plan_receipt(status, {"A": LineProgress(D(1))}, [("A", D(1), None)], final=False)


def test_receipt_status_is_derived_from_the_lines() -> None:
    assert receipt_status([LineProgress(D(2), D(2)), LineProgress(D(1), D(0), D(1))]) == "received"
    assert receipt_status([LineProgress(D(2), D(1))]) == "partially_received"
