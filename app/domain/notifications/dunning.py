"""Overdue reminders (催款): one per invoice at each configured number of days past due."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta


def normalised_steps(days: Sequence[int]) -> list[int]:
    """The steps ascending without repeats; each at least one day past due."""
    steps = sorted(set(days))
    if any(d < 1 for d in steps):
        raise ValueError("dunning days must be at least 1")
    return steps


def due_window(steps: Sequence[int], step: int, today: date) -> tuple[date, date | None]:
    """The due dates whose invoices are at ``step`` today: at least ``step`` days past due and
    not yet at the next step (``(latest, earliest)``, earliest None for the last step). An
    invoice found late (the worker was down) gets the step it is at, never the ones it passed."""
    ordered = normalised_steps(steps)
    latest = today - timedelta(days=step)
    later = [d for d in ordered if d > step]
    earliest = today - timedelta(days=later[0]) + timedelta(days=1) if later else None
    return latest, earliest
