"""Invoicing runs (月结): bill a closed period of the periodic customers, and what it did."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from pydantic import Field

from app.domain.auth import Principal
from app.domain.billing.invoices import InvoicingPeriod
from app.schemas.common import AmountOut, Schema
from app.services.billing.periodic_commands import RunPeriodicInvoicing

# Dates a run may name: far enough either way for any real period, and every period around
# them stays a real date.
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


class InvoicingRunCreate(Schema):
    """Bill a period: the one ending on ``period_end`` (a month's last day, or a Sunday), or
    else the last one closed before ``as_of`` (default today). Periods are UTC dates."""

    period: InvoicingPeriod = Field(description="month (calendar month) or week (ISO week)")
    period_end: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    as_of: date | None = Field(default=None, ge=EARLIEST, le=LATEST)
    customer_id: uuid.UUID | None = Field(default=None, description="Only this customer")

    def to_command(self, principal: Principal) -> RunPeriodicInvoicing:
        return RunPeriodicInvoicing(
            principal=principal,
            period=self.period,
            period_end=self.period_end,
            as_of=self.as_of,
            customer_id=self.customer_id,
        )


class RunOutcome(StrEnum):
    INVOICED = "invoiced"
    NOTHING_DUE = "nothing_due"
    SKIPPED = "skipped"
    FAILED = "failed"


class RunInvoiceRead(Schema):
    customer_id: uuid.UUID
    invoice_id: uuid.UUID
    number: str
    currency: str
    total: AmountOut
    shipments: int


class CustomerRunRead(Schema):
    customer_id: uuid.UUID
    customer_code: str | None
    outcome: RunOutcome = Field(
        description="invoiced; nothing_due (all billed already); skipped (not billed every "
        "such period); failed (code and reason say why; the other customers are billed)"
    )
    invoices: list[str] = Field(description="The numbers of the invoices made")
    code: str | None = None
    reason: str | None = None


class InvoicingRunRead(Schema):
    period: InvoicingPeriod
    period_start: date
    period_end: date
    invoices: list[RunInvoiceRead]
    customers: list[CustomerRunRead]
