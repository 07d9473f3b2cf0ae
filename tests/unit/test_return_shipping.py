"""The rules of how approved returns come back (labels, pickups)."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.after_sales.return_shipping import (
    check_can_buy_return_label,
    check_label_carrier,
    check_pickup,
)
from app.domain.errors import InvalidState, RuleViolation

TODAY = date(2026, 12, 2)


def test_a_label_needs_an_approved_carrier_label_return() -> None:
    check_can_buy_return_label("approved", "carrier_label")
    with pytest.raises(InvalidState) as not_approved:
        check_can_buy_return_label("requested", "carrier_label")
    assert not_approved.value.code == "return_not_approved"
    with pytest.raises(InvalidState) as wrong:
        check_can_buy_return_label("approved", "pickup")
    assert wrong.value.code == "wrong_return_method"
    assert wrong.value.issues[0].field == "method"


@pytest.mark.parametrize(
    ("kind", "active", "rule"),
    [("table_rate", True, "no_return_labels"), ("generic_json", False, "carrier_inactive")],
)
def test_only_an_active_carrier_that_sells_labels(kind: str, active: bool, rule: str) -> None:
    check_label_carrier("EZ", "easypost", True)
    with pytest.raises(RuleViolation) as refused:
        check_label_carrier("X", kind, active)
    assert [(i.field, i.rule) for i in refused.value.issues] == [("carrier", rule)]


@pytest.mark.parametrize("window", [None, "09:00-12:00", "00:00-23:59"])
def test_a_pickup_today_or_later_in_a_window(window: str | None) -> None:
    check_pickup("approved", "pickup", TODAY, TODAY, window)


@pytest.mark.parametrize(
    ("on", "window", "field"),
    [
        (date(2026, 12, 1), None, "date"),
        (TODAY, "12:00-09:00", "window"),
        (TODAY, "12:00-12:00", "window"),
        (TODAY, "9-12", "window"),
        (TODAY, "24:00-25:00", "window"),
    ],
)
def test_a_pickup_in_the_past_or_a_bad_window_is_refused(
    on: date, window: str | None, field: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_pickup("approved", "pickup", on, TODAY, window)
    assert refused.value.issues[0].field == field


def test_a_pickup_needs_an_approved_pickup_return() -> None:
    with pytest.raises(InvalidState):
        check_pickup("approved", "drop_off", TODAY, TODAY, None)
    with pytest.raises(InvalidState):
        check_pickup("received", "pickup", TODAY, TODAY, None)
