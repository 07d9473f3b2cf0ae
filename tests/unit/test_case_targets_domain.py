"""A service case's targets without a database: which target an unresolved case missed, and
when it is overdue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.after_sales.cases import (
    CaseState,
    Deadlines,
    Miss,
    Target,
    is_overdue,
    missed_target,
)

OPENED = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
DUE = Deadlines(OPENED + timedelta(hours=8), OPENED + timedelta(days=5))
ANSWERED = OPENED + timedelta(hours=1)


@pytest.mark.parametrize(
    ("state", "first_response_at", "after", "expected"),
    [
        (CaseState.OPEN, None, timedelta(hours=7), None),
        (CaseState.OPEN, None, timedelta(hours=9), Miss(Target.RESPONSE, DUE.response_due_at)),
        (CaseState.IN_PROGRESS, ANSWERED, timedelta(hours=9), None),
        (
            CaseState.WAITING_CUSTOMER,
            ANSWERED,
            timedelta(days=6),
            Miss(Target.RESOLUTION, DUE.resolution_due_at),
        ),
        # both missed: the resolution target is the one named
        (CaseState.OPEN, None, timedelta(days=6), Miss(Target.RESOLUTION, DUE.resolution_due_at)),
        (CaseState.RESOLVED, None, timedelta(days=6), None),
        (CaseState.CLOSED, None, timedelta(days=6), None),
    ],
)
def test_the_target_an_unresolved_case_missed(
    state: CaseState,
    first_response_at: datetime | None,
    after: timedelta,
    expected: Miss | None,
) -> None:
    now = OPENED + after
    got = missed_target(state, DUE, first_response_at=first_response_at, now=now)
    assert got == expected
    assert is_overdue(state, DUE, first_response_at=first_response_at, now=now) is (
        expected is not None
    )


def test_a_target_is_missed_only_after_its_due_time() -> None:
    at_due = missed_target(CaseState.OPEN, DUE, first_response_at=None, now=DUE.response_due_at)
    assert at_due is None
