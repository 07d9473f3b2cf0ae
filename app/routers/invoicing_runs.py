"""Invoicing runs (月结): periodic customers' closed periods billed on demand (the worker
runs the same at each period's end)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.deps import AUTHENTICATED, BusDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.invoicing_runs import (
    CustomerRunRead,
    InvoicingRunCreate,
    InvoicingRunRead,
    RunInvoiceRead,
    RunOutcome,
)
from app.services.billing.periodic import RunReport

router = APIRouter(prefix="/api/v1/invoicing-runs", tags=["invoicing"], dependencies=AUTHENTICATED)
Writer = Annotated[Principal, Depends(requires("invoices:write"))]


def run_read(report: RunReport) -> InvoicingRunRead:
    return InvoicingRunRead(
        period=report.period.kind,
        period_start=report.period.start,
        period_end=report.period.end,
        invoices=[
            RunInvoiceRead(
                customer_id=c.customer_id,
                invoice_id=i.invoice_id,
                number=i.number,
                currency=i.currency,
                total=i.total,
                shipments=i.shipments,
            )
            for c, i in report.invoices
        ],
        customers=[
            CustomerRunRead(
                customer_id=c.customer_id,
                customer_code=c.customer_code,
                outcome=RunOutcome(c.outcome),
                invoices=[i.number for i in c.invoices],
                code=c.code,
                reason=c.reason,
            )
            for c in report.customers
        ],
    )


@router.post(
    "",
    response_model=InvoicingRunRead,
    summary="Run periodic invoicing",
    responses=problem_responses(401, 403, 422),
)
async def run(
    body: InvoicingRunCreate, bus: BusDep, uow: UowDep, principal: Writer
) -> InvoicingRunRead:
    """Bill a closed period: each periodic customer billed every such period (or the one
    named) gets one invoice per currency for its departed shipments up to the period's end
    not billed yet, each customer in its own transaction. Running it again makes no new
    invoice; a customer that fails is reported and the others are billed."""
    return run_read(await bus.handle(body.to_command(principal), uow))
