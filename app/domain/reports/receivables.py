"""The receivables report's rules (应收账款): what an invoice contributes to the figures, which
events touch which records, DSO per period, and the report's parameters and headers.

Money moves by its own dates: an invoice is *invoiced* on its issue date (its total, tax
included); a payment applied to it is *collected* on the day it was applied, and taken back on
the day it was unapplied (or its payment reversed); a credit note applied to it is *credited*
likewise. A voided issued invoice stays invoiced on its issue date: voiding applies a red-letter
credit note to it (``app.services.billing.voiding``), which is credited on the void date — as
the books have it. The balance at a day's end is everything invoiced up to it less everything
collected and credited up to it; payments not applied to an invoice are the customer's credit
and reduce no balance (as the credit check has it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from app.domain.reports.periods import Grouping, bucket, next_month

RECEIVABLES_DIMENSIONS = ("all", "customer", "customer_group")
RECEIVABLES_METRICS = ("balance", "overdue", "invoiced", "collected", "dso")
ISSUED, VOID = "issued", "void"
DSO_PLACES = Decimal("0.1")
ZERO = Decimal(0)

Kind = Literal["invoice", "payment", "credit_note", "customer", "order", "shipment"]


@dataclass(frozen=True)
class Move:
    """Money that moved on one invoice on one day (signed: a reversal is negative)."""

    day: date
    invoiced: Decimal = ZERO
    collected: Decimal = ZERO
    credited: Decimal = ZERO


@dataclass(frozen=True)
class Application:
    """A payment or credit applied to an invoice (``amount`` in the invoice's currency)."""

    amount: Decimal
    applied_at: datetime
    reversed_at: datetime | None


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date() if at.tzinfo else at.date()


def counted(status: str, issue_date: date | None) -> bool:
    """An invoice counts once issued (a voided one too: its red-letter note credits it)."""
    return issue_date is not None and status in (ISSUED, VOID)


def moves(
    issue_date: date, total: Decimal, paid: Iterable[Application], credit: Iterable[Application]
) -> list[Move]:
    """The invoice's money per day, days with nothing left out, in day order."""
    days: dict[date, list[Decimal]] = {}

    def add(day: date, column: int, amount: Decimal) -> None:
        days.setdefault(day, [ZERO, ZERO, ZERO])[column] += amount

    add(issue_date, 0, total)
    for column, applications in ((1, paid), (2, credit)):
        for a in applications:
            add(utc_day(a.applied_at), column, a.amount)
            if a.reversed_at is not None:
                add(utc_day(a.reversed_at), column, -a.amount)
    return [Move(d, *v) for d, v in sorted(days.items()) if any(v)]


def touched_kind(event_type: str, aggregate_type: str) -> Kind | None:
    """What an event of the stream touches for this report, or None."""
    prefix = event_type.split(".", 1)[0]
    for kind in ("invoice", "payment", "credit_note", "customer", "order", "shipment"):
        if prefix == kind or aggregate_type == kind:
            return kind
    return None


def dso(balance: Decimal, invoiced: Decimal, days: int) -> Decimal | None:
    """Days sales outstanding of a period: the balance at its end ÷ invoiced in it × its days,
    to a tenth of a day; None when nothing was invoiced (or less than nothing)."""
    if invoiced <= 0 or days <= 0:
        return None
    return (balance / invoiced * days).quantize(DSO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period:
    """A period of a report: its first day (the bucket's, which may be before the range),
    its last day inside the range, and how many of its days are inside the range."""

    start: date
    last: date
    days: int


def periods(start: date, end: date, grouping: Grouping) -> list[Period]:
    """Every period from the one holding ``start`` to the one holding ``end``."""
    out = []
    first = bucket(start, grouping)
    while first <= end:
        if grouping is Grouping.MONTH:
            after = next_month(first)
        else:
            after = first + timedelta(days=7 if grouping is Grouping.WEEK else 1)
        last = min(after - timedelta(days=1), end)
        out.append(Period(first, last, (last - max(first, start)).days + 1))
        first = after
    return out


def excess(exposure: Decimal, limit: Decimal) -> Decimal | None:
    """How far exposure is over the credit limit (the credit check's rule: over when greater
    than the limit); None when within it."""
    return exposure - limit if exposure > limit else None


ZH: dict[str, str] = {
    "invoiced": "开票金额",
    "collected": "回款金额",
    "credited": "红字冲减",
    "balance": "期末应收余额",
    "opening_balance": "期初应收余额",
    "dso": "应收账款周转天数(DSO)",
    "overdue": "逾期金额",
}
