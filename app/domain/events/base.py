"""The base of every domain event, and ``Changed`` for records nothing reacts to."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Image = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def _resolve(image: Image | None) -> Mapping[str, Any] | None:
    return image() if callable(image) else image


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event. ``topic`` is the outbox event type; None records the audit row
    only; ``audited=False`` marks a signal for reactions that writes no row at all.
    ``payload`` is the outbox payload (default: the after image, else the before).

    The rows of an event are written after its reactions ran, so an image given as a function
    shows the record as the reactions left it (a cancelled order's payload shows what the
    release gave back). Reactions may append what they did to ``results`` (the transfers they
    drafted, the orders they allocated) for a use case that published the event and reports
    it."""

    actor: str
    entity_id: uuid.UUID | str
    entity_type: str = ""
    action: str = ""
    topic: str | None = None
    before: Image | None = None
    after: Image | None = None
    payload: Image | None = None
    audited: bool = True
    results: list[Any] = field(default_factory=list, compare=False, repr=False)

    @property
    def entity_uuid(self) -> uuid.UUID:
        """``entity_id`` as a UUID (every aggregate a reaction loads has one)."""
        value = self.entity_id
        return value if isinstance(value, uuid.UUID) else uuid.UUID(value)

    def images(self) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
        """(before, after) as written to the audit row."""
        return _resolve(self.before), _resolve(self.after)

    def outbox_payload(self) -> Mapping[str, Any]:
        payload = _resolve(self.payload)
        if payload is not None:
            return payload
        before, after = self.images()
        return after or before or {}


@dataclass(frozen=True, kw_only=True)
class Changed(Event):
    """A record was created or changed and nothing reacts to it but the audit and outbox."""
