"""Periods of a report: the buckets a range is grouped by, and the period before it."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class Grouping(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    start = month_start(day)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def bucket(day: date, grouping: Grouping) -> date:
    """The first day of the period ``day`` falls in."""
    if grouping is Grouping.MONTH:
        return month_start(day)
    if grouping is Grouping.WEEK:
        return week_start(day)
    return day


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The range of the same length just before ``start`` … ``end`` (both included)."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The whole months inside ``start`` … ``end``, when the range is exactly whole months
    (then the month roll-ups answer it); None otherwise."""
    if start.day != 1 or next_month(end) - timedelta(days=1) != end:
        return None
    return start, end
