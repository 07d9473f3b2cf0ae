"""The sign-in throttling rule: failures in a window → a lockout that doubles, capped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.login_throttle import (
    FailureCounter,
    ThrottlePolicy,
    after_failure,
    forgotten_before,
    lockout_duration,
    retry_after,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    max_failures=3,
    window=timedelta(minutes=15),
    lockout=timedelta(seconds=60),
    max_lockout=timedelta(minutes=10),
)


def fail(counter: FailureCounter, at: datetime, times: int = 1) -> FailureCounter:
    for _ in range(times):
        counter = after_failure(counter, at, POLICY)
    return counter


def test_failures_below_the_limit_do_not_lock() -> None:
    counter = fail(FailureCounter(), T0, times=2)
    assert counter.failures == 2 and counter.window_started_at == T0
    assert counter.locked_until is None
    assert retry_after(counter, T0) is None


def test_reaching_the_limit_locks_for_the_base_lockout() -> None:
    counter = fail(FailureCounter(), T0, times=3)
    assert counter.locked_until == T0 + timedelta(seconds=60)
    assert counter.lockouts == 1 and counter.failures == 0
    assert retry_after(counter, T0) == 60
    assert retry_after(counter, T0 + timedelta(seconds=59.2)) == 1
    assert retry_after(counter, T0 + timedelta(seconds=60)) is None


def test_failures_in_an_expired_window_start_a_new_count() -> None:
    counter = fail(FailureCounter(), T0, times=2)
    later = T0 + timedelta(minutes=15)
    counter = fail(counter, later)
    assert counter.failures == 1 and counter.window_started_at == later
    assert counter.locked_until is None


def test_a_lockout_soon_after_another_lasts_twice_as_long() -> None:
    first = fail(FailureCounter(), T0, times=3)
    after_first = first.locked_until
    assert after_first is not None
    second = fail(first, after_first, times=3)
    assert second.lockouts == 2
    assert second.locked_until == after_first + timedelta(seconds=120)


def test_lockouts_are_forgotten_a_window_after_the_last_one_ended() -> None:
    first = fail(FailureCounter(), T0, times=3)
    assert first.locked_until is not None
    quiet = first.locked_until + POLICY.window
    again = fail(first, quiet, times=3)
    assert again.lockouts == 1
    assert again.locked_until == quiet + timedelta(seconds=60)


def test_lockout_doubles_then_stops_at_the_cap() -> None:
    assert [lockout_duration(n, POLICY).total_seconds() for n in range(1, 7)] == [
        60,
        120,
        240,
        480,
        600,
        600,
    ]
    assert lockout_duration(10_000, POLICY) == POLICY.max_lockout


@given(st.integers(min_value=1, max_value=10_000))
def test_lockout_stays_between_base_and_cap(lockouts: int) -> None:
    assert POLICY.lockout <= lockout_duration(lockouts, POLICY) <= POLICY.max_lockout


@given(st.lists(st.integers(min_value=0, max_value=3600), min_size=1, max_size=30))
def test_a_lock_never_starts_before_max_failures_in_one_window(gaps: list[int]) -> None:
    counter, now = FailureCounter(), T0
    for gap in gaps:
        now += timedelta(seconds=gap)
        if retry_after(counter, now) is not None:
            continue  # the caller refuses attempts on a locked key
        before = counter
        counter = after_failure(counter, now, POLICY)
        if counter.locked_until != before.locked_until:
            assert before.failures == POLICY.max_failures - 1 or POLICY.max_failures == 1
            assert counter.locked_until is not None and counter.locked_until > now


def test_a_policy_of_one_failure_locks_at_once() -> None:
    policy = ThrottlePolicy(1, timedelta(minutes=1), timedelta(seconds=5), timedelta(seconds=5))
    assert after_failure(FailureCounter(), T0, policy).locked_until == T0 + timedelta(seconds=5)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_failures": 0},
        {"window": timedelta(0)},
        {"lockout": timedelta(0)},
        {"max_lockout": timedelta(seconds=1)},
    ],
)
def test_nonsense_policies_are_refused(kwargs: dict[str, object]) -> None:
    values: dict[str, object] = {
        "max_failures": 3,
        "window": timedelta(minutes=1),
        "lockout": timedelta(seconds=10),
        "max_lockout": timedelta(seconds=60),
    }
    values.update(kwargs)
    with pytest.raises(ValueError):
        ThrottlePolicy(**values)  # type: ignore[arg-type]


def test_lockout_number_is_one_based() -> None:
    with pytest.raises(ValueError):
        lockout_duration(0, POLICY)


@given(
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=7200),
    st.integers(min_value=0, max_value=7200),
)
def test_a_forgotten_counter_behaves_like_a_key_never_seen(
    failures: int, lockouts: int, window_age: int, lock_age: int
) -> None:
    now = T0 + timedelta(days=1)
    cutoff = forgotten_before(now, POLICY.window)
    counter = FailureCounter(
        failures=failures,
        window_started_at=cutoff - timedelta(seconds=window_age),
        locked_until=cutoff - timedelta(seconds=lock_age),
        lockouts=lockouts,
    )
    assert retry_after(counter, now) is None
    fresh = after_failure(FailureCounter(), now, POLICY)
    assert after_failure(counter, now, POLICY) == FailureCounter(
        fresh.failures, fresh.window_started_at, counter.locked_until, 0
    )
