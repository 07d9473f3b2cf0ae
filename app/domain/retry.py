"""Retry schedules: exponential backoff with full jitter, bounded by a dead-letter limit."""

from __future__ import annotations

import random
from datetime import timedelta


def backoff_delay(
    attempt: int,
    *,
    base_seconds: float = 2.0,
    cap_seconds: float = 3600.0,
    rand: random.Random | None = None,
) -> timedelta:
    """The wait before retry number ``attempt`` (1-based): uniform in [0, min(cap, base·2^(n-1))]
    ("full jitter", so that many failed deliveries do not retry in lockstep)."""
    if attempt < 1:
        raise ValueError("attempt is 1-based")
    ceiling = min(cap_seconds, base_seconds * 2 ** (attempt - 1))
    return timedelta(seconds=(rand or random).uniform(0, ceiling))


def next_retry(
    attempts_so_far: int, max_attempts: int, *, rand: random.Random | None = None
) -> timedelta | None:
    """How long to wait after a failed attempt, or None when it was the last allowed one."""
    attempt = attempts_so_far + 1
    if attempt >= max_attempts:
        return None
    return backoff_delay(attempt, rand=rand)
