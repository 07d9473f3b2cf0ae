"""Commands of the overdue job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.auth import Principal

# Invoices raised per transaction (the worker runs the command again while a batch is full).
OVERDUE_BATCH = 100


@dataclass(frozen=True, kw_only=True)
class RaiseOverdueInvoices:
    """Raise ``invoice.overdue`` once for up to ``batch`` issued invoices with a balance that
    are past their due date on ``today`` (default: the day the command is handled, UTC)."""

    principal: Principal
    today: date | None = None
    batch: int = OVERDUE_BATCH
