"""The rules of production requests: what is made, due dates, completions, cancelling,
lateness and splitting the order lines a request serves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from app.domain import production as rules
from app.domain.errors import InvalidState, RuleViolation
from app.domain.production import ProductionStatus as S

TODAY = date(2026, 12, 3)


def test_only_made_products_get_requests() -> None:
    rules.check_made("make", "M-1")
    rules.check_made("make_to_order", "M-1")
    with pytest.raises(RuleViolation) as exc:
        rules.check_made("buy", "B-1")
    assert exc.value.issues[0].rule == "made"


def test_a_due_date_is_the_requested_date_less_transit_never_before_the_lead_time() -> None:
    assert rules.due_date(TODAY, 3) == date(2026, 12, 6)
    assert rules.due_date(TODAY, 3, date(2026, 12, 20), transit_days=2) == date(2026, 12, 18)
    assert rules.due_date(TODAY, 3, date(2026, 12, 4)) == date(2026, 12, 6)


def test_quantities_are_positive_and_within_the_unit() -> None:
    rules.check_quantity(D("2"), 0)
    for bad, rule in ((D("0"), "positive"), (D("1.5"), "unit_precision")):
        with pytest.raises(RuleViolation) as exc:
            rules.check_quantity(bad, 0)
        assert exc.value.issues[0].rule == rule


def _completion(**kw: object) -> rules.Completion:
    values: dict[str, object] = {"requested": D(5), "completed_before": D(3), "good": D(2)}
    values.update(kw)
    return rules.Completion(**values)  # type: ignore[arg-type]


def test_a_completion_beyond_the_request_needs_a_reason_and_scrap_too() -> None:
    rules.check_completion(_completion(), 0)
    rules.check_completion(_completion(good=D(3), over_production_reason="a full batch"), 0)
    cases = {
        "over_production_reason": _completion(good=D(3)),
        "scrap_reason": _completion(scrapped=D(1)),
        "completed_quantity": _completion(good=D(0)),
    }
    for field, completion in cases.items():
        with pytest.raises(RuleViolation) as exc:
            rules.check_completion(completion, 0)
        assert field in {i.field for i in exc.value.issues}, field


def test_status_after_a_completion() -> None:
    assert rules.status_after(D(5), D(0), finished=False) is S.IN_PROGRESS
    assert rules.status_after(D(5), D(3), finished=False) is S.PARTLY_COMPLETED
    assert rules.status_after(D(5), D(5), finished=False) is S.COMPLETED
    assert rules.status_after(D(5), D(6), finished=False) is S.COMPLETED


def test_what_may_be_cancelled_and_what_runs() -> None:
    rules.check_cancellable("released", D(0), "MO-1")
    with pytest.raises(InvalidState) as exc:
        rules.check_cancellable("partly_completed", D(1), "MO-1")
    assert exc.value.code == "request_has_completions"
    with pytest.raises(InvalidState) as exc:
        rules.check_cancellable("completed", D(0), "MO-1")
    assert exc.value.code == "request_closed"
    for status in ("draft", "completed", "cancelled"):
        with pytest.raises(InvalidState):
            rules.check_running(status, "MO-1")
    rules.check_running("in_progress", "MO-1")


def test_a_request_is_late_past_its_due_date_or_expected_after_it() -> None:
    due = date(2026, 12, 5)
    assert not rules.is_late("released", due, TODAY, None)
    assert rules.is_late("released", due, date(2026, 12, 6), None)
    assert rules.is_late("in_progress", due, TODAY, date(2026, 12, 7))
    assert not rules.is_late("completed", due, date(2026, 12, 9), None)
    assert rules.expected_date(due, None) == due
    assert rules.expected_date(due, date(2026, 12, 7)) == date(2026, 12, 7)


def test_a_split_takes_the_last_order_lines_first() -> None:
    links = [rules.Part("a", D(3)), rules.Part("b", D(2))]
    keep, moved = rules.split_links(links, D(3))
    assert keep == [rules.Part("a", D(2))]
    assert moved == [rules.Part("a", D(1)), rules.Part("b", D(2))]
    with pytest.raises(RuleViolation):
        rules.check_split(D(5), D(5), 0)
