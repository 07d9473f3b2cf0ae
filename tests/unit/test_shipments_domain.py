"""Shipment rules: numbers, picked-minus-shipped, package contents, verification, states."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.errors import Conflict, InvalidState, RuleViolation
from app.domain.shipments import (
    Difference,
    Quantity,
    QuotedRate,
    check_can_buy_label,
    check_can_cancel_label,
    check_can_confirm,
    check_can_deliver,
    check_can_verify,
    check_packages,
    check_same_purchase,
    check_ship_lines,
    check_verification,
    choose_rate,
    default_lines,
    format_shipment_number,
    hands_over_itself,
    needs_label,
    rank_rates,
    verification_diff,
)

D = Decimal


def q(sku: str, quantity: str) -> Quantity:
    return Quantity(sku, D(quantity))


def fields(exc: pytest.ExceptionInfo[RuleViolation]) -> list[tuple[str, str]]:
    return [(i.field, i.rule) for i in exc.value.issues]


def test_number_format() -> None:
    assert format_shipment_number(2026, 123) == "SH-2026-000123"


def test_lines_within_picked_pass() -> None:
    check_ship_lines({"A": D(5), "B": D(2)}, [q("A", "5"), q("B", "1")])


def test_more_than_picked_names_the_line() -> None:
    with pytest.raises(RuleViolation) as exc:
        check_ship_lines({"A": D(5), "B": D(2)}, [q("A", "1"), q("B", "3")])
    assert fields(exc) == [("lines.1.quantity", "at_most_picked")]
    assert "3" in exc.value.issues[0].message and "B" in exc.value.issues[0].message


def test_unpicked_duplicate_and_non_positive_lines() -> None:
    with pytest.raises(RuleViolation) as exc:
        check_ship_lines({"A": D(5)}, [q("X", "1"), q("A", "0"), q("A", "1")])
    assert fields(exc) == [
        ("lines.0.sku", "picked"),
        ("lines.1.quantity", "positive"),
        ("lines.2.sku", "unique"),
    ]


def test_default_lines_take_everything_left() -> None:
    assert default_lines({"B": D(2), "A": D(1), "C": D(0)}) == [q("A", "1"), q("B", "2")]


def test_packages_must_add_up() -> None:
    check_packages([q("A", "3"), q("B", "1")], [[q("A", "2")], [q("A", "1"), q("B", "1")]])
    with pytest.raises(RuleViolation) as exc:
        check_packages([q("A", "3"), q("B", "1")], [[q("A", "2"), q("C", "1")]])
    assert fields(exc) == [
        ("packages.0.contents.1.sku", "on_shipment"),
        ("packages", "contents_match_lines"),
        ("packages", "contents_match_lines"),
    ]
    assert "2 of A" in exc.value.issues[1].message


def test_verification_diff_per_sku() -> None:
    expected = [q("A", "3"), q("B", "1")]
    assert verification_diff(expected, [q("B", "1"), q("A", "1"), q("A", "2")]) == []
    assert verification_diff(expected, [q("A", "2"), q("C", "1")]) == [
        Difference("A", D(3), D(2)),
        Difference("B", D(1), D(0)),
        Difference("C", D(0), D(1)),
    ]


def test_verification_mismatch_is_a_conflict_listing_each_line() -> None:
    check_verification([q("A", "3")], [q("A", "3")])
    with pytest.raises(Conflict) as exc:
        check_verification([q("A", "3"), q("B", "1")], [q("A", "2"), q("B", "1")])
    assert exc.value.code == "verification_mismatch"
    assert [i.message for i in exc.value.issues] == ["A: expected 3, scanned 2."]


def test_state_rules() -> None:
    check_can_verify("ready")
    with pytest.raises(InvalidState):
        check_can_verify("shipped")
    check_can_confirm("ready", verified=True)
    with pytest.raises(InvalidState) as exc:
        check_can_confirm("ready", verified=False)
    assert exc.value.code == "not_verified"
    check_can_deliver("shipped", own_fleet=True)
    with pytest.raises(InvalidState) as exc:
        check_can_deliver("shipped", own_fleet=False)
    assert exc.value.code == "carrier_shipment"
    with pytest.raises(InvalidState) as exc:
        check_can_deliver("ready", own_fleet=True)
    assert exc.value.code == "not_shipped"


# --- Labels --------------------------------------------------------------------------------


def rate(carrier: str, service: str, price: str, promised: str | None, position: int = 0):
    return QuotedRate(carrier, service, D(price), "CNY", promised, position)


RATES = [
    rate("A", "express", "20", "2026-11-24", 0),
    rate("A", "economy", "9", "2026-11-28", 1),
    rate("B", "standard", "12", "2026-11-25", 2),
    rate("C", "slow", "9", None, 3),
]


def test_cheapest_is_the_lowest_price_then_the_earliest_date() -> None:
    assert choose_rate(RATES, carrier=None, service=None, preference="cheapest") == RATES[1]


def test_fastest_is_the_earliest_date_then_the_price_and_no_date_comes_last() -> None:
    assert choose_rate(RATES, carrier=None, service=None, preference="fastest") == RATES[0]
    undated = [RATES[3], RATES[2]]
    assert choose_rate(undated, carrier=None, service=None, preference="fastest") == RATES[2]


def test_a_named_carrier_and_service_pick_that_rate() -> None:
    assert choose_rate(RATES, carrier="A", service=None, preference="cheapest") == RATES[1]
    assert choose_rate(RATES, carrier="A", service="express", preference="cheapest") == RATES[0]


def test_preferred_carrier_wins_when_it_has_a_rate_else_the_cheapest() -> None:
    chosen = choose_rate(
        RATES, carrier=None, service=None, preference="preferred", preferred_carrier="B"
    )
    assert chosen == RATES[2]
    fallback = choose_rate(
        RATES, carrier=None, service=None, preference="preferred", preferred_carrier="Z"
    )
    assert fallback == RATES[1]


def test_no_rates_or_an_unknown_rate_are_conflicts_with_their_codes() -> None:
    with pytest.raises(InvalidState) as none:
        choose_rate([], carrier=None, service=None, preference="cheapest")
    assert none.value.code == "no_rates"
    with pytest.raises(InvalidState) as unknown:
        choose_rate(RATES, carrier="A", service="teleport", preference="cheapest")
    assert unknown.value.code == "no_such_rate"


def test_http_carriers_need_a_label_and_table_rate_carriers_hand_over_themselves() -> None:
    assert needs_label("easypost") and needs_label("generic_json")
    assert not needs_label("table_rate") and not needs_label(None)
    assert hands_over_itself(None) and hands_over_itself("table_rate")
    assert not hands_over_itself("easypost")


@pytest.mark.parametrize("label", ["none", "pending", "failed"])
def test_confirm_needs_a_purchased_label_when_the_carrier_needs_one(label: str) -> None:
    with pytest.raises(InvalidState) as refused:
        check_can_confirm("ready", True, label_needed=True, label_status=label)
    assert refused.value.code == "label_required"
    check_can_confirm("ready", True, label_needed=True, label_status="purchased")
    check_can_confirm("ready", True, label_needed=False, label_status=label)


def test_rates_and_labels_only_for_ready_shipments() -> None:
    check_can_buy_label("ready")
    for status in ("shipped", "delivered"):
        with pytest.raises(InvalidState) as refused:
            check_can_buy_label(status)
        assert refused.value.code == "not_ready"


def test_only_a_bought_label_of_a_ready_shipment_is_cancelled() -> None:
    check_can_cancel_label("ready", "purchased")
    for label in ("none", "pending", "failed"):
        with pytest.raises(InvalidState) as none:
            check_can_cancel_label("ready", label)
        assert none.value.code == "no_label"
    with pytest.raises(InvalidState) as gone:
        check_can_cancel_label("shipped", "purchased")
    assert gone.value.code == "not_ready"


def test_ranking_puts_the_preferred_carrier_first_then_the_cheapest() -> None:
    ranked = rank_rates(RATES, "preferred", "A")
    assert [(r.carrier, r.service) for r in ranked] == [
        ("A", "economy"),
        ("A", "express"),
        ("C", "slow"),  # then the other carriers, cheapest first
        ("B", "standard"),
    ]
    assert [r.position for r in rank_rates(RATES, "cheapest")] == [1, 3, 2, 0]
    assert [r.position for r in rank_rates(RATES, "fastest")] == [0, 2, 1, 3]


def test_asking_again_for_the_same_label_is_harmless_and_for_another_a_conflict() -> None:
    bought = ("GOOD", "express")
    for status in ("pending", "purchased"):
        check_same_purchase(status, bought, None, None)
        check_same_purchase(status, bought, "GOOD", None)
        check_same_purchase(status, bought, "GOOD", "express")
    with pytest.raises(InvalidState) as exists:
        check_same_purchase("purchased", bought, "GOOD", "economy")
    assert exists.value.code == "label_exists"
    with pytest.raises(InvalidState) as pending:
        check_same_purchase("pending", bought, "OTHER", None)
    assert pending.value.code == "label_pending"
    check_same_purchase("failed", bought, "OTHER", None)  # a failed label is replaced
    check_same_purchase("none", None, "OTHER", "x")
