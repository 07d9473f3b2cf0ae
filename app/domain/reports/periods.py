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
    """The range, when it is exactly whole months (then month roll-ups answer it alone);
    None otherwise."""
    if start.day != 1 or next_month(end) - timedelta(days=1) != end:
        return None
    return start, end


Span = tuple[str, date, date]  # ("day" or "month" roll-ups, first day, last day)


def spans(start: date, end: date, grouping: Grouping) -> list[Span]:
    """Which roll-ups answer ``start`` … ``end``: grouped by month, the whole months inside
    the range from the month roll-ups and the part-months at either edge from the day ones
    (each part-month is its own period, bucketed to its month); otherwise the days."""
    if grouping is not Grouping.MONTH:
        return [("day", start, end)]
    first = start if start.day == 1 else next_month(start)
    after = next_month(end) if next_month(end) - timedelta(days=1) == end else month_start(end)
    if first >= after:  # no whole month inside
        return [("day", start, end)]
    out: list[Span] = []
    if start < first:
        out.append(("day", start, first - timedelta(days=1)))
    out.append(("month", first, after - timedelta(days=1)))
    if after <= end:
        out.append(("day", after, end))
    return out
