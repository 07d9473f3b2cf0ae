"""Receivables (应收账款): customer statements (对账单) and the aging report with DSO."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.deps import AUTHENTICATED, UowDep, requires
from app.domain.auth import Principal
from app.domain.billing.aging import DSO_DAYS_DEFAULT, Bucket
from app.errors import problem_responses
from app.schemas.receivables import (
    AgingAmounts,
    AgingRead,
    CurrencyStatement,
    CustomerAgingRead,
    StatementRead,
    StatementRow,
)
from app.services.billing import receivables
from app.services.billing.receivables import AgingLine

router = APIRouter(prefix="/api/v1", tags=["receivables"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("invoices:read"))]
EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)


@router.get(
    "/customers/{customer_id}/statement",
    response_model=StatementRead,
    summary="A customer's statement",
    responses=problem_responses(401, 403, 404, 422),
)
async def statement(
    customer_id: uuid.UUID,
    uow: UowDep,
    principal: Reader,
    from_: Annotated[
        date | None,
        Query(
            alias="from",
            ge=EARLIEST,
            le=LATEST,
            description="Default: the first day of the month of `to`",
        ),
    ] = None,
    to: Annotated[
        date | None, Query(ge=EARLIEST, le=LATEST, description="Default: today (UTC)")
    ] = None,
) -> StatementRead:
    """对账单: per currency, what the customer owed before `from`, every invoice (+), payment
    (−), credit note (−), refund (+) and reversed payment (+) posted from `from` to `to` with
    the running balance, and what it owed at the end. Read from the customer's receivable and
    credit accounts in the journal; applications move nothing the customer owes and are not
    rows. A negative balance is credit in the customer's favour."""
    end = to or datetime.now(UTC).date()
    start = from_ or end.replace(day=1)
    s = await receivables.statement(uow, customer_id, start, end)
    return StatementRead(
        customer_id=s.customer_id,
        customer_code=s.customer_code,
        customer_name=s.customer_name,
        from_date=s.start,
        to_date=s.end,
        currencies=[
            CurrencyStatement(
                currency=c.currency,
                opening_balance=c.opening_balance,
                rows=[StatementRow.model_validate(r) for r in c.rows],
                closing_balance=c.closing_balance,
            )
            for c in s.currencies
        ],
    )


def _amounts(line: AgingLine) -> AgingAmounts:
    a = line.aged.amounts
    return AgingAmounts(
        currency=line.currency,
        current=a[Bucket.CURRENT],
        days_1_30=a[Bucket.DAYS_1_30],
        days_31_60=a[Bucket.DAYS_31_60],
        days_61_90=a[Bucket.DAYS_61_90],
        over_90=a[Bucket.OVER_90],
        total=line.aged.total,
        invoiced=line.invoiced,
        dso=line.dso,
    )


@router.get(
    "/receivables/aging",
    response_model=AgingRead,
    summary="Receivables aging and DSO",
    responses=problem_responses(401, 403, 404, 422),
)
async def aging(
    uow: UowDep,
    principal: Reader,
    as_of: Annotated[
        date | None, Query(ge=EARLIEST, le=LATEST, description="Default: today (UTC)")
    ] = None,
    customer_id: uuid.UUID | None = None,
    days: Annotated[
        int, Query(ge=1, le=3650, description="DSO window: invoiced over the last N days")
    ] = DSO_DAYS_DEFAULT,
) -> AgingRead:
    """Per customer and in total, per currency: the open balance on `as_of` of issued
    invoices by days past due — current (not yet due), 1–30, 31–60, 61–90, over 90 — counting
    only payments and credit applied by the end of `as_of` and not reversed by then; and DSO:
    open receivables ÷ invoiced over the last `days` days × `days` (null with nothing
    invoiced)."""
    report = await receivables.aging(
        uow, as_of or datetime.now(UTC).date(), days, customer_id=customer_id
    )
    return AgingRead(
        as_of=report.as_of,
        days=report.days,
        customers=[
            CustomerAgingRead(
                customer_id=c.customer_id,
                customer_code=c.customer_code,
                customer_name=c.customer_name,
                currencies=[_amounts(x) for x in c.lines],
            )
            for c in report.customers
        ],
        totals=[_amounts(x) for x in report.totals],
    )
