"""Helpers every use case shares: the version check and retrying on deadlocks.
(Recording created and updated master data is in ``app.services.resources``.)"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from app.domain.errors import Conflict, StaleVersion
from app.repositories.uow import is_retryable

log = logging.getLogger(__name__)


def check_version(row: Any, expected: int) -> None:
    """Optimistic concurrency: ``If-Match`` must name the current version."""
    if row.version != expected:
        raise StaleVersion(
            f"The resource is at version {row.version}, not {expected}; reload and retry."
        )


P = ParamSpec("P")
R = TypeVar("R")
MAX_ATTEMPTS = 4


def retrying(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run a use case again when the database aborted it for a deadlock or a serialization
    failure (each attempt is a fresh transaction: use cases open their unit of work inside).
    After ``MAX_ATTEMPTS`` the conflict is answered as a 409, never a 500."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                if not is_retryable(exc):
                    raise
                if attempt == MAX_ATTEMPTS:
                    raise Conflict(
                        "The database stayed busy with a conflicting change; retry.",
                        code="concurrent_update",
                    ) from exc
                log.info("transaction.retry", extra={"use_case": fn.__name__, "attempt": attempt})
                await asyncio.sleep(random.uniform(0, 0.02 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
