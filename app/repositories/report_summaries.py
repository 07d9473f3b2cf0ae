"""The summaries kept beside the order facts (carriers, receivables, after-sales…): each owns
its tables and one derivation of them from the transaction tables, which the projector runs for
what a batch of events touched and the rebuild runs for everything. ``lading check`` asks each
for the records of a sample whose stored summary differs from the one derived now.

A summary registers itself in ``SUMMARIES`` (``app.repositories.report_registry``); the
projector, the rebuild, the clearing and the check go through that list only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.events import OutboxEvent


@dataclass(frozen=True)
class Mismatch:
    """A record whose stored summary differs from its rows (``lading check``)."""

    record_type: str  # e.g. "shipment", "invoice", "return"
    record_id: str
    detail: str


class Summary(Protocol):
    """``name`` names it in logs and in the check's rule (``report_<name>_mismatch``);
    ``tables`` are cleared by the rebuild before ``rebuild`` runs. Every method runs in the
    caller's transaction (the projector's step or the whole rebuild) and must be idempotent:
    running it twice over the same events leaves the same rows."""

    name: str
    tables: Sequence[Any]

    async def project(self, session: AsyncSession, events: Sequence[OutboxEvent]) -> None:
        """Derive again whatever these events touched (they are in stream order)."""

    async def rebuild(self, session: AsyncSession) -> None:
        """Derive everything from the transaction tables (its tables are empty)."""

    async def mismatches(self, session: AsyncSession, sample: int) -> list[Mismatch]:
        """Of about ``sample`` records, those whose stored summary differs from a new
        derivation (only called when the projector has read the whole stream)."""
