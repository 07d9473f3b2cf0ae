"""The port every production-system (MES) adapter implements: what Lading sends when it
releases a production request, and what the MES reports back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True)
class ServedLine:
    """One order line a production request makes goods for."""

    order_number: str
    line_no: int
    quantity: Decimal


@dataclass(frozen=True)
class ReleasedRequest:
    """A production request as released to the MES: make ``quantity`` of ``sku`` into
    ``warehouse`` (its code) by ``due_date``; lower ``priority`` is made first."""

    number: str
    sku: str
    product_name: str
    quantity: Decimal
    warehouse: str
    due_date: date
    priority: int
    orders: tuple[ServedLine, ...]


class ReportKind(StrEnum):
    STARTED = "started"
    PROGRESS = "progress"
    COMPLETED = "completed"


@dataclass(frozen=True, kw_only=True)
class MesReport:
    """One report of the MES about a request. ``completed_quantity`` is, for ``completed``,
    the good quantity made in this report; for ``progress``, the cumulative quantity made so
    far (optional); ``event_id`` is the sender's message id (deliveries repeat it)."""

    event_id: str
    kind: ReportKind
    request_number: str
    completed_quantity: Decimal | None = None
    scrapped_quantity: Decimal = Decimal(0)
    expected_finish_date: date | None = None
    over_production_reason: str | None = None
    scrap_reason: str | None = None
    occurred_at: datetime


class ProductionSystem(Protocol):
    def release_document(self, request: ReleasedRequest) -> dict[str, Any]:
        """The JSON document of a released request (decimals as strings, dates ISO 8601)."""
        ...

    def parse_report(self, headers: Mapping[str, str], body: bytes, now: datetime) -> MesReport:
        """Verify the signature over the raw ``body``, then parse it: ``BadSignature`` when the
        signature is missing, forged or outside the replay window, ``MalformedRequest`` when the
        body is not a report."""
        ...
