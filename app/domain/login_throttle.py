"""Throttling password guessing: failed sign-ins per user name and per client address.

Each key (a user name, a client address) has a counter of failures in the current window.
Reaching ``max_failures`` locks the key for a while; each lockout that follows another one
soon after lasts twice as long as the one before, up to a cap. While a key is locked, sign-in
is refused without looking at the password.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    """``max_failures`` within ``window`` lock a key for ``lockout``, doubling per consecutive
    lockout up to ``max_lockout``. Lockouts count as consecutive until a whole ``window``
    passes after the last one ended with no new failure."""

    max_failures: int
    window: timedelta
    lockout: timedelta
    max_lockout: timedelta

    def __post_init__(self) -> None:
        if self.max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if self.window <= timedelta(0) or self.lockout <= timedelta(0):
            raise ValueError("window and lockout must be positive")
        if self.max_lockout < self.lockout:
            raise ValueError("max_lockout must not be shorter than lockout")


@dataclass(frozen=True)
class FailureCounter:
    """One key's state; a key never seen is ``FailureCounter()``."""

    failures: int = 0
    window_started_at: datetime | None = None
    locked_until: datetime | None = None
    lockouts: int = 0


def lockout_duration(lockouts: int, policy: ThrottlePolicy) -> timedelta:
    """How long lockout number ``lockouts`` (1-based) lasts: ``lockout · 2^(n-1)``, capped."""
    if lockouts < 1:
        raise ValueError("lockouts is 1-based")
    duration = policy.lockout
    for _ in range(lockouts - 1):
        if duration >= policy.max_lockout:
            break
        duration *= 2
    return min(duration, policy.max_lockout)


def forgotten_before(now: datetime, window: timedelta) -> datetime:
    """Counters whose window started and whose lock ended before this instant (one ``window``
    ago) behave exactly like a key never seen, so they may be deleted."""
    return now - window


def retry_after(counter: FailureCounter, now: datetime) -> int | None:
    """Whole seconds until the key may try again (at least 1), or None when it is not locked."""
    if counter.locked_until is None or counter.locked_until <= now:
        return None
    return max(1, math.ceil((counter.locked_until - now).total_seconds()))


def after_failure(counter: FailureCounter, now: datetime, policy: ThrottlePolicy) -> FailureCounter:
    """The counter once one more failed sign-in at ``now`` is counted. Attempts on a locked key
    are refused before they get here; one that passed the check just before a concurrent
    failure locked the key still counts, towards the next lockout."""
    lockouts = counter.lockouts
    if counter.locked_until is not None and now >= counter.locked_until + policy.window:
        lockouts = 0
    window_open = (
        counter.window_started_at is not None and now < counter.window_started_at + policy.window
    )
    if window_open:
        counted = replace(counter, failures=counter.failures + 1, lockouts=lockouts)
    else:
        counted = replace(counter, failures=1, window_started_at=now, lockouts=lockouts)
    if counted.failures < policy.max_failures:
        return counted
    lockouts += 1
    return FailureCounter(
        failures=0,
        window_started_at=None,
        locked_until=now + lockout_duration(lockouts, policy),
        lockouts=lockouts,
    )
