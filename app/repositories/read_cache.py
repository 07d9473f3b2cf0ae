"""What the order path reads on every request and almost never changes — a verified API key,
the review policy, the active warehouses — kept in the process for a few seconds.

Bounded staleness, never correctness: a change takes effect at once in the process that made
it (the unit of work drops the entries of every entity type it wrote, after its commit) and
within ``LADING_READ_CACHE_SECONDS`` in every other process. Nothing that guards an invariant
(stock, credit, idempotency) is ever read from here. A unit of work that has itself written an
entity type neither reads nor fills that type's entries, so a rolled-back change is never
remembered."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

MISSING: Any = object()


class ReadCache:
    """Entries by (entity type, key), each good for ``seconds`` (0 keeps nothing)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._entries: dict[str, dict[str, tuple[float, Any]]] = {}

    def get(self, tag: str, key: str) -> Any:
        """The value kept under (tag, key) while it is fresh, else ``MISSING``."""
        entry = self._entries.get(tag, {}).get(key)
        if entry is None or entry[0] <= self.clock():
            return MISSING
        return entry[1]

    def put(self, tag: str, key: str, value: Any) -> None:
        """Keep ``value`` (never None: what was not found is looked up again)."""
        if self.seconds > 0 and value is not None:
            self._entries.setdefault(tag, {})[key] = (self.clock() + self.seconds, value)

    def invalidate(self, tags: Iterable[str]) -> None:
        """Forget every entry of these entity types."""
        for tag in tags:
            self._entries.pop(tag, None)
