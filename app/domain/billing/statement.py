"""The customer statement (对账单): which accounts it reads, the days it covers, and how long
a period it takes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.domain.billing.ledger import PER_CUSTOMER
from app.domain.errors import RuleViolation

# A period with more entries is refused: ask for a shorter one.
STATEMENT_MAX_ROWS = 5000
# The customer's receivable and credit accounts: what changes their net changes what is owed.
STATEMENT_ACCOUNTS = tuple(sorted(a.value for a in PER_CUSTOMER))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_end(day: date) -> datetime:
    """The instant after ``day`` (days are included whole, in UTC)."""
    return day_start(day + timedelta(days=1))


def check_period(start: date, end: date, entries: int | None = None) -> None:
    """``from`` not after ``to``; no more than ``STATEMENT_MAX_ROWS`` entries."""
    if start > end:
        raise RuleViolation.on("from", "from_after_to", "`from` must not be after `to`.")
    if entries is not None and entries > STATEMENT_MAX_ROWS:
        raise RuleViolation.on(
            "from",
            "period_too_long",
            f"The period has more than {STATEMENT_MAX_ROWS} entries; ask for a shorter one.",
        )
