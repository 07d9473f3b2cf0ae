"""Invoicing periods of periodic (月结) customers: calendar months and ISO weeks (Monday to
Sunday), in UTC dates. A period is closed once its last day has ended (UTC midnight after
it); the worker bills a closed period ``hour`` hours after that, so late confirmations of the
last day are in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from app.domain.billing.invoices import InvoicingPeriod
from app.domain.errors import RuleViolation


@dataclass(frozen=True)
class Period:
    """``start`` to ``end``, both days included."""

    kind: InvoicingPeriod
    start: date
    end: date

    @property
    def until(self) -> datetime:
        """The first instant after the period (UTC): shipments shipped before it are in."""
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)


def period_containing(kind: InvoicingPeriod, day: date) -> Period:
    """The month, or the ISO week (Monday to Sunday), that ``day`` falls in."""
    if kind is InvoicingPeriod.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return Period(kind, start, following - timedelta(days=1))


def closed_before(kind: InvoicingPeriod, day: date) -> Period:
    """The last period that ended before ``day`` (the one just closed on ``day``)."""
    return period_containing(kind, period_containing(kind, day).start - timedelta(days=1))


def due_for_billing(kind: InvoicingPeriod, now: datetime, hour: int) -> Period:
    """The period the worker bills at ``now`` (UTC): the one just closed once ``hour`` of the
    day after it has come, else the one before it (already billed at its own time)."""
    now = now.astimezone(UTC)
    day = now.date() if now.hour >= hour else now.date() - timedelta(days=1)
    return closed_before(kind, day)


def ending_on(kind: InvoicingPeriod, end: date, *, field: str = "period_end") -> Period:
    """The period whose last day is ``end``; refused when ``end`` is no period's last day."""
    period = period_containing(kind, end)
    if period.end != end:
        raise RuleViolation.on(
            field,
            "not_period_end",
            f"{end} is not the last day of a {kind.value} (the last is {period.end}).",
        )
    return period


def check_closed(period: Period, today: date, *, field: str = "period_end") -> None:
    """Only a period that has ended is billed: one invoice per customer per period."""
    if period.end >= today:
        raise RuleViolation.on(
            field,
            "period_not_ended",
            f"The {period.kind.value} {period.start} to {period.end} has not ended yet.",
        )
