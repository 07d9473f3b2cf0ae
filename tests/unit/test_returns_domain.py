"""Rules of returns (RMA): what may be requested, who approves, what a receipt may say, and
what the quarantine gives back — and that every movement kind can be read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from typing import get_args

import pytest

from app.domain.after_sales import returns as rules
from app.domain.errors import InvalidState, RuleViolation
from app.domain.stock import MovementKind
from app.schemas.stock import MovementKindName

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def _line(**kw: object) -> rules.ReturnableLine:
    values: dict[str, object] = {
        "delivered": D(3),
        "returned": D(0),
        "claimed": D(0),
        "delivered_at": NOW - timedelta(days=2),
        "window_days": 7,
    }
    values.update(kw)
    return rules.ReturnableLine(**values)  # type: ignore[arg-type]


def _rules_of(exc: pytest.ExceptionInfo[RuleViolation]) -> set[tuple[str, str]]:
    return {(i.field, i.rule) for i in exc.value.issues}


def test_a_request_within_window_and_quantity_passes() -> None:
    rules.check_request([rules.RequestedLine(_line(returned=D(1), claimed=D(1)), D(1))], NOW)


@pytest.mark.parametrize(
    ("line", "quantity", "expected"),
    [
        (None, D(1), ("lines.0.order_line_id", "of_order")),
        (_line(delivered=D(0), delivered_at=None), D(1), ("lines.0.order_line_id", "delivered")),
        (
            _line(delivered_at=NOW - timedelta(days=8)),
            D(1),
            ("lines.0.order_line_id", "return_window"),
        ),
        (_line(), D(0), ("lines.0.quantity", "positive")),
        (_line(returned=D(1), claimed=D(1)), D(2), ("lines.0.quantity", "within_returnable")),
    ],
)
def test_a_bad_request_names_the_field_and_rule(line, quantity, expected) -> None:
    with pytest.raises(RuleViolation) as exc:
        rules.check_request([rules.RequestedLine(line, quantity)], NOW)
    assert expected in _rules_of(exc)


def test_windows_and_approval() -> None:
    assert rules.window_days(None, storefront=True, default=30, storefront_default=7) == 7
    assert rules.window_days(None, storefront=False, default=30, storefront_default=7) == 30
    assert rules.window_days(14, storefront=True, default=30, storefront_default=7) == 14
    assert rules.approves_automatically(D("499.99"), D(500))
    assert not rules.approves_automatically(D(500), D(500))
    assert not rules.approves_automatically(D(1), D(0))
    assert rules.may_approve(("finance",), ("sales_manager", "finance"))
    assert rules.may_approve(("admin",), ())
    assert not rules.may_approve(("sales",), ("sales_manager", "finance"))
    with pytest.raises(InvalidState):
        rules.check_decidable("approved")
    with pytest.raises(RuleViolation):
        rules.check_refusal("  ")


def test_a_receipt_may_differ_from_the_request_with_a_reason() -> None:
    rules.check_receipt([rules.ReceivedLine(requested=D(2), room=D(3), restock=D(1))])
    rules.check_receipt(
        [rules.ReceivedLine(requested=D(1), room=D(3), restock=D(2), difference_reason="Two")]
    )
    with pytest.raises(RuleViolation) as exc:
        rules.check_receipt(
            [rules.ReceivedLine(requested=D(1), room=D(1), restock=D(2), scrap=D(1))]
        )
    assert _rules_of(exc) == {
        ("lines.0.difference_reason", "required"),
        ("lines.0.restock", "within_delivered"),
        ("lines.0.scrap_reason", "required"),
    }


def test_the_quarantine_gives_back_no_more_than_it_holds() -> None:
    holding = rules.held(D(3), D(1), D(1))
    assert holding == D(1)
    rules.check_quarantine_take(D(1), holding)
    with pytest.raises(RuleViolation):
        rules.check_quarantine_take(D(2), holding)
    with pytest.raises(RuleViolation):
        rules.check_quarantine_take(D(1), holding, None, scrap=True)


def test_every_movement_kind_reads_back() -> None:
    assert set(get_args(MovementKindName)) == {k.value for k in MovementKind}
