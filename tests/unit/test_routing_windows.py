"""Delivery windows of a ship-to, and depot settings rules, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.errors import RuleViolation
from app.domain.routing.depot import is_time_zone, overlapping_periods
from app.domain.routing.model import Window
from app.domain.routing.windows import check_window, clock_seconds, windows_on

MONDAY = date(2026, 12, 7)
SATURDAY = date(2026, 12, 12)
SUNDAY = date(2026, 12, 13)
WEEKDAYS = [1, 2, 3, 4, 5]


def window(start: str, end: str, weekdays: list[int] | None = None) -> dict:
    doc: dict = {"start": start, "end": end}
    if weekdays is not None:
        doc["weekdays"] = weekdays
    return doc


def test_clock_seconds() -> None:
    assert clock_seconds("00:00") == 0
    assert clock_seconds("09:30") == 9 * 3600 + 30 * 60
    assert clock_seconds("23:59") == 86340
    for bad in ("24:00", "9:30", "09:60", "0930", ""):
        with pytest.raises(ValueError):
            clock_seconds(bad)


def test_no_windows_means_any_time() -> None:
    assert windows_on(MONDAY, []) is None


def test_windows_of_the_weekday_in_seconds_sorted() -> None:
    documents = [
        window("14:00", "17:00", WEEKDAYS),
        window("09:00", "11:30", WEEKDAYS),
        window("10:00", "12:00", [6]),
    ]
    assert windows_on(MONDAY, documents) == (Window(32400, 41400), Window(50400, 61200))
    assert windows_on(SATURDAY, documents) == (Window(36000, 43200),)


def test_windows_but_none_that_day_means_closed() -> None:
    assert windows_on(SUNDAY, [window("09:00", "17:00", WEEKDAYS)]) == ()


def test_a_window_without_weekdays_applies_every_day() -> None:
    assert windows_on(SUNDAY, [window("08:00", "09:00")]) == (Window(28800, 32400),)


def test_overlapping_and_touching_windows_are_merged() -> None:
    documents = [window("09:00", "11:00"), window("10:00", "12:00"), window("12:00", "13:00")]
    assert windows_on(MONDAY, documents) == (Window(32400, 46800),)


def test_check_window_names_the_end_and_the_rule() -> None:
    check_window("09:00", "09:01")
    for start, end in (("09:00", "09:00"), ("17:00", "09:00")):
        with pytest.raises(RuleViolation) as caught:
            check_window(start, end)
        (issue,) = caught.value.issues
        assert (issue.field, issue.rule) == ("end", "after_start")


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("UTC", True),
        ("Asia/Shanghai", True),
        ("America/New_York", True),
        ("Mars/Olympus", False),
        ("asia/shanghai", False),
        ("Asia", False),
        ("../etc/passwd", False),
        ("", False),
        ("localtime", False),
    ],
)
def test_time_zones_are_iana_names(name: str, known: bool) -> None:
    assert is_time_zone(name) is known


def test_overlapping_traffic_periods_name_the_later_one() -> None:
    assert overlapping_periods([]) == []
    assert overlapping_periods([(7 * 3600, 9 * 3600), (17 * 3600, 19 * 3600)]) == []
    # touching is not overlapping
    assert overlapping_periods([(0, 100), (100, 200)]) == []
    # given out of order: the one starting later is named, whatever its place in the list
    assert overlapping_periods([(500, 900), (0, 600)]) == [0]
    # a period inside a long one, and one after both overlapping the long one
    assert overlapping_periods([(0, 1000), (100, 200), (900, 1100)]) == [1, 2]
