"""Deadlocks and serialization failures are retried a bounded number of times, then a 409."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from app.domain.errors import Conflict
from app.services.common import MAX_ATTEMPTS, retrying


class _Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _db_error(sqlstate: str) -> DBAPIError:
    return DBAPIError("UPDATE stock_levels ...", {}, _Orig(sqlstate))


async def test_a_deadlock_is_retried_until_it_succeeds() -> None:
    calls = []

    @retrying
    async def use_case() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _db_error("40P01")
        return "done"

    assert await use_case() == "done"
    assert len(calls) == 3


async def test_a_conflict_that_never_clears_becomes_a_409() -> None:
    calls = []

    @retrying
    async def use_case() -> None:
        calls.append(1)
        raise _db_error("40001")

    with pytest.raises(Conflict) as info:
        await use_case()
    assert info.value.code == "concurrent_update"
    assert len(calls) == MAX_ATTEMPTS


async def test_other_errors_are_not_retried() -> None:
    calls = []

    @retrying
    async def use_case() -> None:
        calls.append(1)
        raise IntegrityError("INSERT ...", {}, _Orig("23505"))

    with pytest.raises(IntegrityError):
        await use_case()
    assert len(calls) == 1
