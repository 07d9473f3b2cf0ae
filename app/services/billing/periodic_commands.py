"""Commands of periodic invoicing (月结)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.domain.auth import Principal
from app.domain.billing.invoices import InvoicingPeriod


@dataclass(frozen=True, kw_only=True)
class RunPeriodicInvoicing:
    """Bill a closed period of every periodic customer invoiced every ``period`` (or of one
    customer): the period ending on ``period_end``, or else the last one closed before
    ``as_of`` (today, UTC, when neither is given)."""

    principal: Principal
    period: InvoicingPeriod
    period_end: date | None = None
    as_of: date | None = None
    customer_id: uuid.UUID | None = None


@dataclass(frozen=True, kw_only=True)
class InvoiceCustomerPeriod:
    """One customer's part of a run, in its own transaction: an invoice per currency for its
    departed shipments up to the period's end not billed yet."""

    principal: Principal
    customer_id: uuid.UUID
    period: InvoicingPeriod
    start: date
    end: date
