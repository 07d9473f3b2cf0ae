"""Who may report a payment and what a payment must cover (app.domain.payments), and which
customer changes are credit decisions (app.domain.customers), without a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.auth import Principal, scopes_for_roles
from app.domain.customers import credit_changes, credit_granted, ensure_may_decide_credit
from app.domain.errors import PermissionDenied, Violations
from app.domain.orders import Channel, PaymentStatus
from app.domain.payments import (
    PaymentReport,
    check_intake,
    ensure_may_report,
    fully_paid,
    standing,
)

D = Decimal
TOTAL = D("500.00")


def user(*roles: str) -> Principal:
    return Principal("u", "someone", "user", roles, scopes_for_roles(list(roles)))


def key(*scopes: str, channel: str | None) -> Principal:
    return Principal("k", "shop", "api_key", (), frozenset(scopes), channel=channel)


@pytest.mark.parametrize(
    ("status", "amount", "expected"),
    [
        ("paid", D("500"), PaymentStatus.PAID),
        ("paid", D("9999"), PaymentStatus.PAID),
        ("paid", D("0.01"), PaymentStatus.PARTIALLY_PAID),
        ("paid", None, PaymentStatus.PARTIALLY_PAID),
        ("authorized", D("500"), PaymentStatus.AUTHORIZED),
        ("authorized", D("499.99"), PaymentStatus.PARTIALLY_AUTHORIZED),
        ("partially_paid", D("500"), PaymentStatus.PAID),  # the total fell to the amount
        ("partially_authorized", D("600"), PaymentStatus.AUTHORIZED),
        ("unpaid", D("9999"), PaymentStatus.UNPAID),
        (None, None, None),
    ],
)
def test_a_payment_stands_partial_until_it_covers_the_total(status, amount, expected) -> None:
    assert standing(status, amount, TOTAL) == expected


def test_only_a_payment_in_full_is_fully_paid() -> None:
    assert fully_paid("paid", TOTAL, TOTAL)
    assert not fully_paid("paid", TOTAL - D("0.01"), TOTAL)
    assert not fully_paid("partially_paid", TOTAL - 1, TOTAL)
    assert not fully_paid("authorized", TOTAL, TOTAL)  # authorised is not paid: credit applies
    assert not fully_paid(None, None, TOTAL)


def test_payments_are_reported_by_finance_and_keys_of_the_orders_channel() -> None:
    ensure_may_report(user("finance"), "manual")
    ensure_may_report(user("admin"), "storefront")
    ensure_may_report(key("orders:payment", channel="storefront"), "storefront")
    for principal, channel in [
        (user("sales"), "storefront"),
        (user("sales_manager"), "storefront"),
        (key("orders:write", channel="storefront"), "storefront"),
        (key("orders:payment", channel="edi"), "storefront"),
        (key("orders:payment", channel=None), "storefront"),
    ]:
        with pytest.raises(PermissionDenied):
            ensure_may_report(principal, channel)


def intake(report, amount, currency=None, channel=Channel.STOREFRONT) -> set[tuple[str, str]]:
    violations = Violations()
    check_intake(
        PaymentReport(report),
        amount,
        currency,
        channel=channel,
        order_currency="CNY",
        total=TOTAL,
        violations=violations,
    )
    return {(i.field, i.rule) for i in violations.issues}


def test_a_payment_at_intake_covers_the_total_in_the_order_currency() -> None:
    assert intake("paid", TOTAL) == set()
    assert intake("authorized", TOTAL, "CNY") == set()
    assert intake("unpaid", None) == set()
    assert intake("paid", TOTAL - D("0.01")) == {("payment.amount", "covers_total")}
    assert intake("authorized", None) == {("payment.amount", "covers_total")}
    assert intake("paid", TOTAL, "USD") == {("payment.currency", "currency")}
    assert intake("paid", TOTAL, channel=Channel.MANUAL) == {("payment", "prepaid_channel_only")}


CURRENT = {
    "credit_limit": D("500.00"),
    "payment_terms_days": 30,
    "status": "active",
    "currency": "CNY",
}


def test_credit_changes_are_the_credit_fields_whose_value_changes() -> None:
    assert credit_changes({"name": "x", "credit_limit": D("500")}, CURRENT) == []
    assert credit_changes({"credit_limit": D("500.01"), "status": "active"}, CURRENT) == [
        "credit_limit"
    ]
    assert credit_changes(
        {"payment_terms_days": 60, "status": "blocked", "currency": "USD"}, CURRENT
    ) == ["payment_terms_days", "status", "currency"]


def test_a_new_customer_gets_credit_only_up_to_the_allowance_and_default_terms() -> None:
    assert credit_granted({"credit_limit": D("0"), "payment_terms_days": 30}, D("0")) == []
    assert credit_granted({"credit_limit": D("100"), "payment_terms_days": 7}, D("100")) == []
    assert credit_granted({"credit_limit": D("100.01"), "payment_terms_days": 31}, D("100")) == [
        "credit_limit",
        "payment_terms_days",
    ]


def test_only_finance_and_admin_decide_credit() -> None:
    for role in ("finance", "admin"):
        ensure_may_decide_credit(user(role), ["credit_limit"])
    for role in ("sales", "sales_manager", "warehouse", "viewer"):
        ensure_may_decide_credit(user(role), [])  # nothing decided, nothing needed
        with pytest.raises(PermissionDenied) as refused:
            ensure_may_decide_credit(user(role), ["credit_limit", "status"])
        assert [i.field for i in refused.value.issues] == ["credit_limit", "status"]


def test_no_integration_key_decides_credit() -> None:
    from app.domain.auth import API_KEY_SCOPES

    assert "customers:credit" not in API_KEY_SCOPES and "orders:payment" in API_KEY_SCOPES
