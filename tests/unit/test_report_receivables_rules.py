"""The receivables report's pure rules: an invoice's money per day, what counts, DSO, the
periods of a range, which events touch the report, the excess over a credit limit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.reports import receivables as rules
from app.domain.reports.periods import Grouping

D = Decimal


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def test_an_invoices_money_per_day() -> None:
    paid = [
        rules.Application(D("30"), at("2026-03-25"), None),
        rules.Application(D("40"), at("2026-03-25", 18), at("2026-04-02")),  # taken back
    ]
    credit = [rules.Application(D("5"), at("2026-04-02"), None)]
    assert rules.moves(date(2026, 3, 5), D("100"), paid, credit) == [
        rules.Move(date(2026, 3, 5), invoiced=D("100")),
        rules.Move(date(2026, 3, 25), collected=D("70")),
        rules.Move(date(2026, 4, 2), collected=D("-40"), credited=D("5")),
    ]
    # Applied and taken back the same day: nothing moved that day.
    same = [rules.Application(D("10"), at("2026-03-06", 9), at("2026-03-06", 15))]
    assert rules.moves(date(2026, 3, 5), D("10"), same, []) == [
        rules.Move(date(2026, 3, 5), invoiced=D("10"))
    ]


def test_what_counts() -> None:
    assert rules.counted("issued", date(2026, 3, 1)) and rules.counted("void", date(2026, 3, 1))
    assert not rules.counted("draft", None) and not rules.counted("void", None)
    assert not rules.counted("draft", date(2026, 3, 1))


def test_dso_per_period() -> None:
    assert rules.dso(D("120"), D("150"), 31) == D("24.8")
    assert rules.dso(D("160"), D("340"), 30) == D("14.1")
    assert rules.dso(D("120"), D("0"), 30) is None
    assert rules.dso(D("120"), D("-5"), 30) is None


def test_the_periods_of_a_range() -> None:
    months = rules.periods(date(2026, 3, 10), date(2026, 5, 31), Grouping.MONTH)
    assert [(p.start, p.last, p.days) for p in months] == [
        (date(2026, 3, 1), date(2026, 3, 31), 22),
        (date(2026, 4, 1), date(2026, 4, 30), 30),
        (date(2026, 5, 1), date(2026, 5, 31), 31),
    ]
    weeks = rules.periods(date(2026, 3, 4), date(2026, 3, 10), Grouping.WEEK)
    assert [(p.start, p.last, p.days) for p in weeks] == [
        (date(2026, 3, 2), date(2026, 3, 8), 5),
        (date(2026, 3, 9), date(2026, 3, 10), 2),
    ]
    assert len(rules.periods(date(2026, 2, 27), date(2026, 3, 2), Grouping.DAY)) == 4


def test_which_events_touch_the_report() -> None:
    assert rules.touched_kind("payment.unapplied", "payment") == "payment"
    assert rules.touched_kind("credit_note.applied", "credit_note") == "credit_note"
    assert rules.touched_kind("invoice.drafted", "invoice") == "invoice"
    assert rules.touched_kind("customer.updated", "customer") == "customer"
    assert rules.touched_kind("order.approved", "order") == "order"
    assert rules.touched_kind("shipment.confirmed", "shipment") == "shipment"
    assert rules.touched_kind("stock.moved", "stock_movement") is None
    assert rules.touched_kind("refund.paid", "refund") is None


def test_the_excess_over_a_credit_limit() -> None:
    assert rules.excess(D("200"), D("150")) == D("50")
    assert rules.excess(D("150"), D("150")) is None  # the credit check: over when greater
    assert rules.excess(D("1"), D("0")) == D("1")
