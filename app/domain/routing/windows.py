"""Delivery windows (收货时间) of a ship-to address: when the receiver takes deliveries.

A ship-to's ``delivery_windows`` is a list of documents ``{"weekdays": [1, …, 7], "start":
"HH:MM", "end": "HH:MM"}`` (ISO weekdays, 1 = Monday; local wall-clock times at the address,
which the planner takes to be the depot's time zone). No windows at all means any time; with
windows, a day none of them names is a day the address takes no delivery. A window lies within
one day (``start`` < ``end``, both within 00:00–23:59): a receiver open past midnight has one
window ending 23:59 and another starting 00:00 on the next weekday.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from app.domain.errors import RuleViolation
from app.domain.routing.model import Window

ALL_WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)
MAX_WINDOWS = 14
# The rule name of a window (or traffic period) whose end is not after its start.
AFTER_START = "after_start"
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def clock_seconds(text: str) -> int:
    """``"HH:MM"`` (00:00–23:59) as seconds from midnight; ValueError otherwise."""
    match = _CLOCK.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a time of day as HH:MM.")
    return int(match[1]) * 3600 + int(match[2]) * 60


def check_window(start: str, end: str, field_path: str = "end") -> None:
    """A window (or a traffic period) ends after it starts, on the same day: RuleViolation
    on ``field_path`` (rule ``after_start``) otherwise."""
    if clock_seconds(end) <= clock_seconds(start):
        raise RuleViolation.on(
            field_path,
            AFTER_START,
            f"The end ({end}) must be after the start ({start}) on the same day.",
        )


def windows_on(day: date, documents: Sequence[Mapping[str, Any]]) -> tuple[Window, ...] | None:
    """The delivery windows of a ship-to that apply on ``day`` (by its ISO weekday), in seconds
    from local midnight, sorted by start, overlapping or touching windows merged into one.

    ``None`` when the ship-to has no windows at all (deliver any time); ``()`` when it has
    windows but none on that weekday (closed that day)."""
    if not documents:
        return None
    weekday = day.isoweekday()
    spans = sorted(
        (clock_seconds(str(doc["start"])), clock_seconds(str(doc["end"])))
        for doc in documents
        if weekday in {int(d) for d in doc.get("weekdays", ALL_WEEKDAYS)}
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple(Window(start, end) for start, end in merged)
