"""Which events touch the summaries: an event names an order, a shipment (of an order) or a
customer (whose orders carry its group). The projector derives those orders' facts again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

Kind = Literal["order", "shipment", "customer"]


@dataclass(frozen=True)
class Touch:
    kind: Kind
    id: str


def touched(event_type: str, aggregate_type: str, aggregate_id: str) -> Touch | None:
    """What an event of the stream touches, or None when no summary depends on it."""
    if aggregate_type == "order" or event_type.startswith("order."):
        return Touch("order", aggregate_id)
    if event_type.startswith("shipment."):
        return Touch("shipment", aggregate_id)
    if event_type == "customer.updated":
        return Touch("customer", aggregate_id)
    return None


def issue_days(written: Iterable[datetime]) -> set[date]:
    """The days whose stock issues a batch of events may have changed: each event's day, and
    the day before for one written in the first minute after midnight (its movement may have
    been written a moment earlier, in the same transaction, before midnight)."""
    days: set[date] = set()
    for at in written:
        at = at.astimezone(UTC)
        days.add(at.date())
        if at - datetime.combine(at.date(), time(), UTC) < timedelta(minutes=1):
            days.add(at.date() - timedelta(days=1))
    return days
