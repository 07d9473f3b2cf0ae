"""Settlement rules without a database: oldest due first, conversion at a rate, what an
application may take, and the refund and reversal rules of the payments API."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D

import pytest

from app.domain.billing import ledger
from app.domain.billing.refunds import (
    check_can_reverse,
    check_can_unapply,
    check_minor_units,
    check_refund,
    format_refund_number,
    shown_unapplied,
)
from app.domain.billing.settlement import (
    OpenInvoice,
    check_application,
    check_can_use,
    converted,
    oldest_due_first,
)
from app.domain.errors import InvalidState, RuleViolation


def _inv(number: str, due: date | None, owed: str) -> OpenInvoice:
    return OpenInvoice(uuid.uuid4(), due, number, D(owed))


def _rule(exc: pytest.ExceptionInfo[RuleViolation]) -> tuple[str, str]:
    (issue,) = exc.value.issues
    return issue.field, issue.rule


def test_oldest_due_first_fills_the_earliest_due_then_by_number() -> None:
    late = _inv("INV-3", date(2026, 3, 1), "50")
    early = _inv("INV-2", date(2026, 1, 1), "30")
    same_day = _inv("INV-1", date(2026, 1, 1), "10")
    undated = _inv("INV-0", None, "100")
    plan = oldest_due_first([late, undated, early, same_day], D("70"))
    assert plan == [(same_day.id, D("10")), (early.id, D("30")), (late.id, D("30"))]


def test_oldest_due_first_stops_when_the_payment_is_used_and_skips_settled() -> None:
    settled = _inv("INV-1", date(2026, 1, 1), "0")
    open_ = _inv("INV-2", date(2026, 2, 1), "20")
    assert oldest_due_first([settled, open_], D("100")) == [(open_.id, D("20"))]
    assert oldest_due_first([open_], D("0")) == []


def test_converted_needs_a_rate_across_currencies_and_rounds_to_the_invoice_currency() -> None:
    assert converted(D("10"), "CNY", "CNY", None) == D("10")
    assert converted(D("10.00"), "USD", "CNY", D("7.12345")) == D("71.23")
    assert converted(D("100"), "CNY", "JPY", D("20.555")) == D("2056")
    with pytest.raises(RuleViolation) as exc:
        converted(D("10"), "USD", "CNY", None, field="applications[0].rate")
    assert _rule(exc) == ("applications[0].rate", "rate_required")
    with pytest.raises(RuleViolation) as exc:
        converted(D("10"), "CNY", "CNY", D("2"))
    assert _rule(exc) == ("rate", "same_currency")


@pytest.mark.parametrize(
    ("amount", "available", "applied", "owed", "rule"),
    [
        ("0", "10", "0", "10", "positive"),
        ("-1", "10", "-1", "10", "positive"),
        ("11", "10", "11", "20", "within_payment"),
        ("10", "10", "10", "9.99", "within_invoice"),
    ],
)
def test_check_application_refuses(amount, available, applied, owed, rule) -> None:
    with pytest.raises(RuleViolation) as exc:
        check_application(D(amount), D(available), D(applied), D(owed), field="x")
    assert _rule(exc) == ("x", rule)


def test_check_application_allows_exactly_what_is_left() -> None:
    check_application(D("10"), D("10"), D("71.20"), D("71.20"))


def test_refund_within_unapplied_in_minor_units() -> None:
    check_refund(D("5.00"), D("5"), "CNY")
    with pytest.raises(RuleViolation) as exc:
        check_refund(D("5.01"), D("5"), "CNY")
    assert _rule(exc) == ("amount", "within_unapplied")
    with pytest.raises(RuleViolation) as exc:
        check_refund(D("0"), D("5"), "CNY")
    assert _rule(exc) == ("amount", "positive")
    with pytest.raises(RuleViolation) as exc:
        check_minor_units(D("1.001"), "CNY", "applications[2].amount")
    assert _rule(exc) == ("applications[2].amount", "minor_units")


def test_a_reversed_payment_is_not_used_reversed_again_nor_shows_credit() -> None:
    with pytest.raises(InvalidState) as exc:
        check_can_use("reversed")
    assert exc.value.code == "payment_reversed"
    with pytest.raises(InvalidState):
        check_can_reverse("reversed", D("0"))
    with pytest.raises(InvalidState) as exc:
        check_can_reverse("received", D("1"))
    assert exc.value.code == "payment_refunded"
    with pytest.raises(InvalidState) as exc:
        check_can_unapply(True)
    assert exc.value.code == "already_unapplied"
    assert shown_unapplied("reversed", D("10"), D("0"), D("0")) == 0
    assert shown_unapplied("received", D("10"), D("3"), D("2")) == D("5")
    assert format_refund_number(2026, 42) == "RF-2026-000042"


def test_unapplying_posts_the_application_backwards_in_each_currency() -> None:
    back = ledger.applied(D("-10"), "CNY", "m")
    assert {(x.account, x.amount) for x in back.legs} == {
        (ledger.Account.CUSTOMER_CREDIT, D("-10")),
        (ledger.Account.RECEIVABLES, D("10")),
    }
    across = ledger.applied_across(D("-10"), "USD", D("-71.23"), "CNY", "m")
    assert sum(x.amount for x in across.legs if x.currency == "USD") == 0
    assert sum(x.amount for x in across.legs if x.currency == "CNY") == 0
