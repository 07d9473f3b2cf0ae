"""Credit-note amounts: returned quantities share the line's amounts cumulatively, adjustments
are taxed at the line's rate, and nothing credits more than is left of a line."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from app.domain.billing.credit_notes import (
    Credit,
    CreditedLine,
    adjusted,
    check_credit_application,
    format_credit_note_number,
    remainder,
    returned,
)
from app.domain.errors import RuleViolation

# 3 units, net 10.00, 13% tax 1.30: thirds do not divide evenly.
LINE = CreditedLine(D("3"), D("0.13"), D("10.00"), D("1.30"))


def after(line: CreditedLine, c: Credit) -> CreditedLine:
    return CreditedLine(
        line.quantity,
        line.tax_rate,
        line.net,
        line.tax,
        line.credited_quantity + c.quantity,
        line.credited_net + c.net,
        line.credited_tax + c.tax,
    )


def test_returns_one_by_one_add_up_to_the_line() -> None:
    line, parts = LINE, []
    for _ in range(3):
        c = returned(line, D("1"), "CNY", "lines.0.quantity")
        parts.append((c.net, c.tax))
        line = after(line, c)
    assert parts == [(D("3.33"), D("0.43")), (D("3.34"), D("0.44")), (D("3.33"), D("0.43"))]
    assert line.credited_net == D("10.00") and line.credited_tax == D("1.30")
    assert remainder(line) is None


def test_returning_more_than_invoiced_names_the_field() -> None:
    with pytest.raises(RuleViolation) as refused:
        returned(
            after(LINE, Credit(D("2"), D("6.67"), D("0.87"))), D("2"), "CNY", "lines.1.quantity"
        )
    assert [(i.field, i.rule) for i in refused.value.issues] == [
        ("lines.1.quantity", "within_invoiced")
    ]
    with pytest.raises(RuleViolation):
        returned(LINE, D("0"), "CNY", "lines.0.quantity")


def test_an_adjustment_is_taxed_at_the_line_rate_and_stays_within_the_line() -> None:
    c = adjusted(LINE, D("5.55"), "CNY", "lines.0.amount")
    assert (c.net, c.tax, c.total) == (D("5.55"), D("0.72"), D("6.27"))
    with pytest.raises(RuleViolation) as refused:
        adjusted(after(LINE, c), D("5.00"), "CNY", "lines.0.amount")
    assert [(i.field, i.rule) for i in refused.value.issues] == [
        ("lines.0.amount", "within_invoice_line")
    ]
    with pytest.raises(RuleViolation) as refused:
        adjusted(LINE, D("1.005"), "CNY", "lines.0.amount")
    assert refused.value.issues[0].rule == "minor_units"


def test_a_return_after_an_adjustment_cannot_pass_the_line_total() -> None:
    line = after(LINE, adjusted(LINE, D("8.00"), "CNY", "lines.0.amount"))
    with pytest.raises(RuleViolation) as refused:
        returned(line, D("3"), "CNY", "lines.0.quantity")
    assert refused.value.issues[0].rule == "within_invoice_line"


def test_the_remainder_is_what_is_not_credited_yet() -> None:
    line = after(LINE, returned(LINE, D("1"), "CNY", "q"))
    assert remainder(line) == Credit(D("2"), D("6.67"), D("0.87"))
    assert remainder(LINE) == Credit(D("3"), D("10.00"), D("1.30"))


def test_applications_stay_within_the_note_and_the_invoice() -> None:
    check_credit_application(D("5"), D("5"), D("5"))
    for amount, available, owed, rule in [
        (D("0"), D("5"), D("5"), "positive"),
        (D("6"), D("5"), D("9"), "within_credit_note"),
        (D("6"), D("9"), D("5"), "within_invoice"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            check_credit_application(amount, available, owed)
        assert refused.value.issues[0].rule == rule


def test_numbers() -> None:
    assert format_credit_note_number(2026, 42) == "CN-2026-000042"
