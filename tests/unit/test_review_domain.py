"""The review rules, directly: each rule, the outcome, the approval chain, the policy checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.domain.credit import CreditPosition
from app.domain.errors import RuleViolation
from app.domain.review import (
    HoldCode,
    LineFacts,
    Outcome,
    Result,
    ReviewFacts,
    ReviewPolicy,
    approval_chain,
    assess_credit,
    credit_holds,
    may_release,
    review_order,
)

D = Decimal
TODAY = date(2026, 11, 22)
ROLES = frozenset({"admin", "sales", "sales_manager", "finance", "warehouse", "viewer"})


def facts(**kw) -> ReviewFacts:
    base = ReviewFacts(
        today=TODAY,
        has_ship_to=True,
        lines=(LineFacts("W-1", False, D(0)),),
        requested_delivery_date=TODAY + timedelta(days=5),
        customer_status="active",
        prepaid_channel=False,
        payment_status=None,
        fully_paid=False,
        order_discount_percent=D(0),
        total=D("1000"),
        credit=CreditPosition(limit=D("10000"), open_receivables=D(0), open_orders=D(0)),
    )
    return replace(base, **kw)


def result_of(decision, rule: str):
    return next(r for r in decision.results if r.rule == rule)


def test_a_clean_order_is_approved() -> None:
    decision = review_order(facts(), ReviewPolicy())
    assert decision.outcome is Outcome.APPROVED
    assert {r.result for r in decision.results} == {Result.PASS}
    assert decision.holds == () and decision.approval_chain == ()


def test_incomplete_orders_are_held() -> None:
    policy = ReviewPolicy(min_lead_time_days=3)
    for incomplete in (
        facts(has_ship_to=False),
        facts(lines=()),
        facts(requested_delivery_date=TODAY + timedelta(days=1)),
    ):
        decision = review_order(incomplete, policy)
        assert decision.holds == (HoldCode.INCOMPLETE,)
        assert decision.outcome is Outcome.ON_HOLD


@pytest.mark.parametrize(
    ("status", "hold"),
    [("on_hold", HoldCode.CUSTOMER_ON_HOLD), ("blocked", HoldCode.CUSTOMER_BLOCKED)],
)
def test_customer_status_holds(status, hold) -> None:
    assert review_order(facts(customer_status=status), ReviewPolicy()).holds == (hold,)


def test_below_floor_or_big_discount_needs_sales_manager() -> None:
    below = review_order(facts(lines=(LineFacts("W-1", True, D(0)),)), ReviewPolicy())
    assert below.outcome is Outcome.PENDING_APPROVAL
    assert below.approval_chain == ("sales_manager",)
    discount = review_order(
        facts(lines=(LineFacts("W-1", False, D(25)),)), ReviewPolicy(max_discount_percent=D(20))
    )
    assert "25" in result_of(discount, "price").message
    order_discount = review_order(facts(order_discount_percent=D(30)), ReviewPolicy())
    assert order_discount.approval_chain == ("sales_manager",)


def test_unpaid_prepaid_order_awaits_payment() -> None:
    unpaid = review_order(facts(prepaid_channel=True, payment_status="unpaid"), ReviewPolicy())
    assert unpaid.holds == (HoldCode.AWAITING_PAYMENT,)
    authorised = review_order(
        facts(prepaid_channel=True, payment_status="authorized"), ReviewPolicy()
    )
    assert authorised.outcome is Outcome.APPROVED


def test_credit_limit_counts_receivables_open_orders_and_this_order() -> None:
    credit = CreditPosition(limit=D("10000"), open_receivables=D("4000"), open_orders=D("5000"))
    within = review_order(facts(total=D("1000"), credit=credit), ReviewPolicy())
    assert within.outcome is Outcome.APPROVED
    over = review_order(facts(total=D("1000.01"), credit=credit), ReviewPolicy())
    assert over.holds == (HoldCode.CREDIT_LIMIT_EXCEEDED,)
    assert "10000.01" in result_of(over, "credit").message


def test_overdue_receivables_hold_beyond_the_configured_days() -> None:
    credit = CreditPosition(
        limit=D("1e6"),
        open_receivables=D(500),
        open_orders=D(0),
        overdue_amount=D(500),
        max_days_overdue=45,
    )
    assert review_order(facts(credit=credit), ReviewPolicy(overdue_days=30)).holds == (
        HoldCode.OVERDUE_RECEIVABLES,
    )
    assert review_order(facts(credit=credit), ReviewPolicy(overdue_days=60)).holds == ()


OVERDUE = CreditPosition(
    limit=D("1e6"),
    open_receivables=D(500),
    open_orders=D(0),
    overdue_amount=D(500),
    max_days_overdue=45,
)
OVER_LIMIT = CreditPosition(limit=D("1000"), open_receivables=D(0), open_orders=D("900"))
WITHIN = CreditPosition(limit=D("1e6"), open_receivables=D(0), open_orders=D(0))


@pytest.mark.parametrize("credit", [OVERDUE, OVER_LIMIT, WITHIN])
def test_review_and_the_re_check_apply_one_credit_rule(credit) -> None:
    """The rule review runs and the rule the re-check after the last release or approval runs
    are the same function: same result, same hold."""
    policy = ReviewPolicy(overdue_days=30)
    reviewed = result_of(review_order(facts(credit=credit, total=D(200)), policy), "credit")
    assert assess_credit(credit, D(200), policy) == reviewed
    expected = (reviewed.code,) if reviewed.result is Result.HOLD else ()
    assert credit_holds(credit, D(200), policy) == expected


def test_the_credit_re_check_holds_for_overdue_receivables_too() -> None:
    assert credit_holds(OVERDUE, D(1), ReviewPolicy(overdue_days=30)) == (
        HoldCode.OVERDUE_RECEIVABLES,
    )
    assert credit_holds(OVERDUE, D(1), ReviewPolicy(overdue_days=60)) == ()
    assert credit_holds(OVER_LIMIT, D(200), ReviewPolicy()) == (HoldCode.CREDIT_LIMIT_EXCEEDED,)
    assert credit_holds(WITHIN, D(200), ReviewPolicy()) == ()


def test_the_credit_re_check_holds_nothing_paid_in_full_or_with_the_rule_off() -> None:
    assert credit_holds(None, D("1e9"), ReviewPolicy()) == ()
    assert credit_holds(OVERDUE, D(1), ReviewPolicy(enabled_rules=("amount",))) == ()


def test_fully_paid_orders_skip_the_credit_rule() -> None:
    decision = review_order(
        facts(fully_paid=True, credit=None, total=D("1e9")),
        ReviewPolicy(amount_threshold_1=D("1e10"), amount_threshold_2=D("1e10")),
    )
    assert result_of(decision, "credit").result is Result.SKIPPED
    assert decision.outcome is Outcome.APPROVED


def test_amount_thresholds_make_a_sequential_chain() -> None:
    policy = ReviewPolicy(amount_threshold_1=D("5000"), amount_threshold_2=D("8000"))
    credit = CreditPosition(limit=D("1e9"), open_receivables=D(0), open_orders=D(0))
    assert review_order(facts(total=D("5000"), credit=credit), policy).approval_chain == ()
    assert review_order(facts(total=D("6000"), credit=credit), policy).approval_chain == (
        "sales_manager",
    )
    assert review_order(facts(total=D("9000"), credit=credit), policy).approval_chain == (
        "sales_manager",
        "finance",
    )


def test_a_role_needed_twice_signs_once_junior_first() -> None:
    assert approval_chain(["finance", "sales_manager", "sales_manager"]) == (
        "sales_manager",
        "finance",
    )


def test_holds_come_before_approvals_but_keep_them() -> None:
    decision = review_order(
        facts(customer_status="on_hold", lines=(LineFacts("W-1", True, D(0)),)), ReviewPolicy()
    )
    assert decision.outcome is Outcome.ON_HOLD
    assert decision.approval_chain == ("sales_manager",)


def test_disabled_rules_are_skipped() -> None:
    decision = review_order(
        facts(customer_status="blocked"), ReviewPolicy(enabled_rules=("completeness",))
    )
    assert decision.outcome is Outcome.APPROVED
    assert result_of(decision, "customer_status").result is Result.SKIPPED


def test_who_may_release_which_hold() -> None:
    policy = ReviewPolicy()
    assert may_release(HoldCode.CREDIT_LIMIT_EXCEEDED, ("finance",), policy)
    assert not may_release(HoldCode.CREDIT_LIMIT_EXCEEDED, ("sales",), policy)
    assert not may_release(HoldCode.CREDIT_LIMIT_EXCEEDED, ("sales_manager",), policy)
    assert may_release(HoldCode.CREDIT_LIMIT_EXCEEDED, ("admin",), policy)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_threshold_1": D(-1)}, "amount_threshold_1"),
        ({"amount_threshold_1": D(10), "amount_threshold_2": D(5)}, "amount_threshold_2"),
        ({"max_discount_percent": D(150)}, "max_discount_percent"),
        ({"overdue_days": -1}, "overdue_days"),
        ({"price_approver": "king"}, "price_approver"),
        ({"enabled_rules": ("credit", "astrology")}, "enabled_rules.1"),
    ],
)
def test_invalid_policies_are_refused(changes, field) -> None:
    with pytest.raises(RuleViolation) as info:
        replace(ReviewPolicy(), **changes).validate(ROLES)
    assert field in [i.field for i in info.value.issues]
