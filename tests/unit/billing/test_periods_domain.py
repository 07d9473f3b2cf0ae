"""Invoicing periods (月结): calendar months and ISO weeks in UTC dates, the period just
closed, what the worker bills at a given instant, and the refusals of an on-demand run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.billing.invoices import InvoicingPeriod
from app.domain.billing.periods import (
    check_closed,
    closed_before,
    due_for_billing,
    ending_on,
    period_containing,
)
from app.domain.errors import RuleViolation

MONTH, WEEK = InvoicingPeriod.MONTH, InvoicingPeriod.WEEK


def test_months_run_from_the_first_to_the_last_day() -> None:
    feb = period_containing(MONTH, date(2026, 2, 14))
    assert (feb.start, feb.end) == (date(2026, 2, 1), date(2026, 2, 28))
    leap = period_containing(MONTH, date(2028, 2, 29))
    assert (leap.start, leap.end) == (date(2028, 2, 1), date(2028, 2, 29))
    dec = period_containing(MONTH, date(2026, 12, 31))
    assert (dec.start, dec.end) == (date(2026, 12, 1), date(2026, 12, 31))
    assert dec.until == datetime(2027, 1, 1, tzinfo=UTC)


def test_iso_weeks_run_monday_to_sunday() -> None:
    # 2026-12-02 is a Wednesday; the week crossing the new year stays one week.
    week = period_containing(WEEK, date(2026, 12, 2))
    assert (week.start, week.end) == (date(2026, 11, 30), date(2026, 12, 6))
    assert week.start.isoweekday() == 1 and week.end.isoweekday() == 7
    across = period_containing(WEEK, date(2027, 1, 1))
    assert (across.start, across.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert across.until == datetime(2027, 1, 4, tzinfo=UTC)


def test_the_period_just_closed() -> None:
    assert closed_before(MONTH, date(2026, 3, 1)).start == date(2026, 2, 1)
    assert closed_before(MONTH, date(2026, 3, 31)).end == date(2026, 2, 28)
    assert closed_before(MONTH, date(2026, 1, 15)).start == date(2025, 12, 1)
    last_week = closed_before(WEEK, date(2026, 12, 7))  # a Monday
    assert (last_week.start, last_week.end) == (date(2026, 11, 30), date(2026, 12, 6))


def test_the_worker_bills_a_closed_period_from_the_hour_on() -> None:
    before = due_for_billing(MONTH, datetime(2026, 12, 1, 1, 59, tzinfo=UTC), hour=2)
    after = due_for_billing(MONTH, datetime(2026, 12, 1, 2, 0, tzinfo=UTC), hour=2)
    assert before.end == date(2026, 10, 31)  # November is not billed before 02:00 UTC
    assert after.end == date(2026, 11, 30)
    # Instants are taken in UTC: 08:30 in Shanghai on 1 December is still 30 November.
    shanghai = timezone(timedelta(hours=8))
    assert due_for_billing(MONTH, datetime(2026, 12, 1, 8, 30, tzinfo=shanghai), 0).end == date(
        2026, 11, 30
    )
    assert due_for_billing(MONTH, datetime(2026, 12, 1, 7, 30, tzinfo=shanghai), 0).end == date(
        2026, 10, 31
    )


def test_an_on_demand_period_must_end_on_its_last_day_and_have_ended() -> None:
    assert ending_on(WEEK, date(2026, 12, 6)).start == date(2026, 11, 30)
    with pytest.raises(RuleViolation) as refused:
        ending_on(MONTH, date(2026, 11, 29))
    assert refused.value.issues[0].rule == "not_period_end"
    november = ending_on(MONTH, date(2026, 11, 30))
    check_closed(november, date(2026, 12, 1))
    with pytest.raises(RuleViolation) as open_period:
        check_closed(november, date(2026, 11, 30))
    assert open_period.value.issues[0].rule == "period_not_ended"


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from([MONTH, WEEK]),
)
def test_periods_tile_the_calendar(day: date, kind: InvoicingPeriod) -> None:
    period = period_containing(kind, day)
    assert period.start <= day <= period.end
    assert period_containing(kind, period.end + timedelta(days=1)).start == period.end + timedelta(
        days=1
    )
    assert closed_before(kind, day).end == period.start - timedelta(days=1)
    assert ending_on(kind, period.end) == period
