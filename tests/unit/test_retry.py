from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.retry import backoff_delay, next_retry


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=2**32))
def test_backoff_stays_within_its_exponential_ceiling(attempt: int, seed: int) -> None:
    delay = backoff_delay(attempt, base_seconds=2, cap_seconds=3600, rand=random.Random(seed))
    assert timedelta(0) <= delay <= timedelta(seconds=min(3600, 2 * 2 ** (attempt - 1)))


def test_next_retry_stops_at_the_dead_letter_limit() -> None:
    assert next_retry(0, 3) is not None
    assert next_retry(1, 3) is not None
    assert next_retry(2, 3) is None


def test_attempts_are_one_based() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0)
