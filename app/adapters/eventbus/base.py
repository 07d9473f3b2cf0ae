"""The port of an event bus: a durable, deduplicating log other systems consume."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol


class EventBusError(Exception):
    """The bus could not be reached, or did not acknowledge a message in time."""


class EventBus(Protocol):
    async def ensure_stream(self, name: str, subjects: Sequence[str]) -> None:
        """Create the stream ``name`` over ``subjects`` unless it exists."""
        ...

    async def publish(
        self, subject: str, body: bytes, *, msg_id: str, headers: Mapping[str, str]
    ) -> bool:
        """Publish and wait for the stream's acknowledgement; False when the stream already
        had ``msg_id`` (a duplicate it dropped). Raises ``EventBusError``."""
        ...

    async def close(self) -> None: ...
