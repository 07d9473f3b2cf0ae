"""The port through which outbox events leave Lading."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class OutboundEvent:
    id: str
    type: str
    aggregate_type: str
    aggregate_id: str
    occurred_at: str
    payload: dict[str, Any]


class DeliveryError(Exception):
    """A delivery that failed and should be retried; ``status`` is the upstream HTTP status."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Notifier(Protocol):
    async def send(self, event: OutboundEvent) -> None:
        """Deliver one event or raise ``DeliveryError``."""
        ...
