"""The reports' pure rules: percentiles from histograms, periods, parameters, what an order's
fact says, which events touch the summaries, headers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import RuleViolation
from app.domain.reports import facts
from app.domain.reports.events import Touch, touched
from app.domain.reports.headers import headers, wants_chinese
from app.domain.reports.params import SALES_DIMENSIONS, SALES_METRICS, check_params
from app.domain.reports.periods import (
    Grouping,
    bucket,
    next_month,
    previous_range,
    spans,
    whole_months,
)
from app.domain.reports.stats import age_bucket, change, percentile, rate, ratio


def test_percentile_is_the_nearest_rank() -> None:
    assert percentile({1: 1, 2: 1, 3: 1}, 0.5) == 2
    assert percentile({1: 1, 2: 1, 3: 1}, 0.9) == 3
    assert percentile({20: 1, 24: 1}, 0.5) == 20
    assert percentile({0: 9, 100: 1}, 0.9) == 0
    assert percentile({}, 0.5) is None


@given(st.lists(st.integers(min_value=0, max_value=500), min_size=1, max_size=60))
def test_percentile_matches_the_sorted_values(values: list[int]) -> None:
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    ordered = sorted(values)
    for q in (0.5, 0.9):
        rank = -(-len(values) * int(q * 10) // 10)
        assert percentile(histogram, q) == ordered[rank - 1]


def test_periods() -> None:
    assert bucket(date(2026, 3, 20), Grouping.WEEK) == date(2026, 3, 16)
    assert bucket(date(2026, 3, 22), Grouping.WEEK) == date(2026, 3, 16)  # Sunday
    assert bucket(date(2026, 3, 20), Grouping.MONTH) == date(2026, 3, 1)
    assert bucket(date(2026, 3, 20), Grouping.DAY) == date(2026, 3, 20)
    assert next_month(date(2026, 12, 5)) == date(2027, 1, 1)
    assert previous_range(date(2026, 3, 1), date(2026, 4, 30)) == (
        date(2025, 12, 30),
        date(2026, 2, 28),
    )


def test_a_range_by_month_reads_whole_months_from_the_month_rollups() -> None:
    d, m = date, Grouping.MONTH
    assert spans(d(2026, 1, 1), d(2026, 12, 31), m) == [("month", d(2026, 1, 1), d(2026, 12, 31))]
    assert spans(d(2025, 12, 2), d(2026, 12, 1), m) == [
        ("day", d(2025, 12, 2), d(2025, 12, 31)),
        ("month", d(2026, 1, 1), d(2026, 11, 30)),
        ("day", d(2026, 12, 1), d(2026, 12, 1)),
    ]
    assert spans(d(2026, 1, 10), d(2026, 3, 31), m) == [
        ("day", d(2026, 1, 10), d(2026, 1, 31)),
        ("month", d(2026, 2, 1), d(2026, 3, 31)),
    ]
    # No whole month inside, or not grouped by month: the day roll-ups.
    assert spans(d(2026, 1, 10), d(2026, 2, 20), m) == [("day", d(2026, 1, 10), d(2026, 2, 20))]
    assert spans(d(2026, 1, 2), d(2026, 1, 31), m) == [("day", d(2026, 1, 2), d(2026, 1, 31))]
    assert whole_months(d(2026, 1, 1), d(2026, 12, 31))
    assert whole_months(d(2026, 1, 1), d(2026, 12, 30)) is None
    week = Grouping.WEEK
    assert spans(d(2026, 1, 1), d(2026, 12, 31), week) == [("day", d(2026, 1, 1), d(2026, 12, 31))]


def _check(**kw: object) -> object:
    values: dict[str, object] = {
        "start": date(2026, 1, 1), "end": date(2026, 1, 31), "group_by": "month",
        "dimension": "customer", "metric": "net", "top": None, "currency": None,
        "dimensions": SALES_DIMENSIONS, "metrics": SALES_METRICS, "max_days": 366,
    }  # fmt: skip
    values.update(kw)
    return check_params(**values)  # type: ignore[arg-type]


def test_parameters_name_every_broken_rule() -> None:
    assert _check()
    with pytest.raises(RuleViolation) as caught:
        _check(end=date(2025, 12, 31), group_by="year", dimension="x", metric="y")
    assert [(i.field, i.rule) for i in caught.value.issues] == [
        ("to", "not_before_from"),
        ("group_by", "one_of"),
        ("dimension", "one_of"),
        ("metric", "one_of"),
    ]
    assert _check(end=date(2027, 1, 1))  # 366 days
    with pytest.raises(RuleViolation) as caught:
        _check(end=date(2027, 1, 2))
    assert caught.value.issues[0].rule == "max_range_days"


def test_rates_and_changes() -> None:
    assert rate(3, 4) == Decimal("0.75") and rate(1, 0) is None
    assert ratio(Decimal("90"), 2) == Decimal("45.00") and ratio(Decimal(1), 0) is None
    assert change(Decimal(100), Decimal(50)) == Decimal(1)
    assert change(Decimal(1), Decimal(0)) is None
    assert [age_bucket(d) for d in (-1, 0, 1, 2, 7, 8, 30, 31, 400)] == [
        "0-1", "0-1", "0-1", "2-3", "4-7", "8-14", "15-30", "31+", "31+",
    ]  # fmt: skip


def test_an_orders_lead_times_and_promise() -> None:
    t0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
    m = facts.Milestones(
        submitted=t0,
        approved=t0 + timedelta(hours=2),
        allocated=t0 + timedelta(hours=4, minutes=59),
        shipped=t0 + timedelta(hours=24),
        delivered=None,
    )
    assert facts.lead_hours(m) == {
        "approval": 2, "allocation": 2, "shipment": 19, "delivery": None, "total": None,
    }  # fmt: skip
    assert facts.hours_between(t0, t0 - timedelta(hours=1)) is None
    early = facts.ShipmentRow("w", "W", "c", "C", t0, t0 + timedelta(days=2), date(2026, 3, 5))
    late = facts.ShipmentRow("w", "W", "c", "C", t0 + timedelta(hours=1), None, date(2026, 3, 3))
    assert facts.first_shipment([late, early]) is early
    assert facts.promised(date(2026, 3, 9), [early, late]) == date(2026, 3, 3)
    assert facts.promised(date(2026, 3, 9), []) == date(2026, 3, 9)
    assert facts.delivered_at("delivered", [early, late]) == t0 + timedelta(days=2)
    assert facts.delivered_at("shipped", [early]) is None
    assert facts.on_time(t0, date(2026, 3, 2)) and not facts.on_time(t0, date(2026, 3, 1))
    assert facts.short_lines({"backordered": {"A": "2", "B": "1"}}) == 2
    assert facts.short_lines(None) == 0
    assert facts.backlog_kind("approved", "reserved") == 1
    assert facts.backlog_kind("approved", "partially_reserved") == 2
    assert facts.backlog_kind("on_hold", "unfulfilled") == 0
    assert facts.backlog_kind("approved", "shipped") == 0


def test_which_events_touch_the_summaries() -> None:
    assert touched("order.approved", "order", "o1") == Touch("order", "o1")
    assert touched("shipment.created", "shipment", "s1") == Touch("shipment", "s1")
    assert touched("customer.updated", "customer", "c1") == Touch("customer", "c1")
    assert touched("invoice.issued", "invoice", "i1") is None


def test_chinese_headers_for_chinese_callers() -> None:
    assert wants_chinese("zh-CN,zh;q=0.9,en;q=0.8") and wants_chinese("zh")
    assert not wants_chinese("en-US,zh-CN;q=0.5") and not wants_chinese(None)
    assert headers(["period", "net", "other"], True) == ["期间", "净销售额", "other"]
    assert headers(["period"], False) == ["period"]
