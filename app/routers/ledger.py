"""The books (总账): the trial balance and the journal export for the general ledger system."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from app.deps import AUTHENTICATED, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import amount_text
from app.schemas.ledger import TrialBalanceRead, TrialBalanceRow, TrialBalanceTotal
from app.services.ledger import queries

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("ledger:read"))]
# Dates the reports accept (a day after the last still has a first instant).
EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)
Day = Annotated[date | None, Query(ge=EARLIEST, le=LATEST)]

CSV_COLUMNS = (
    "entry_id",
    "posted_at",
    "memo",
    "source_type",
    "source_id",
    "action",
    "account",
    "account_name",
    "customer_code",
    "currency",
    "debit",
    "credit",
)


@router.get(
    "/trial-balance",
    response_model=TrialBalanceRead,
    summary="Trial balance",
    responses=problem_responses(401, 403, 422),
)
async def trial_balance(
    uow: UowDep,
    principal: Reader,
    as_of: Annotated[
        date | None,
        Query(ge=EARLIEST, le=LATEST, description="Entries posted up to the end of this day"),
    ] = None,
) -> TrialBalanceRead:
    """Each account's debits, credits and balance per currency, and the totals per currency
    (debits equal credits when the books balance), over the entries posted up to the end of
    `as_of` (UTC; default today)."""
    tb = await queries.trial_balance(uow, as_of or datetime.now(UTC).date())
    return TrialBalanceRead(
        as_of=tb.as_of,
        accounts=[
            TrialBalanceRow(
                account=r.account,
                name=r.name,
                currency=r.currency,
                debit=r.debit,
                credit=r.credit,
                balance=r.balance,
            )
            for r in tb.rows
        ],
        totals=[
            TrialBalanceTotal(
                currency=t.currency, debit=t.debit, credit=t.credit, balanced=t.balanced
            )
            for t in tb.totals
        ],
    )


@router.get(
    "/journal.csv",
    summary="Export the journal (CSV)",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "description": "One row per journal line: " + ", ".join(CSV_COLUMNS),
        },
        **problem_responses(401, 403, 422),
    },
)
async def journal_csv(
    uow: UowDep,
    principal: Reader,
    from_: Annotated[date | None, Query(alias="from", ge=EARLIEST, le=LATEST)] = None,
    to: Day = None,
) -> StreamingResponse:
    """The journal for the general ledger system, one row per line of every entry posted
    from `from` to `to` (days included, UTC), in posting order: entry id, posted at, memo,
    source type and id, action, account code and name, customer code (receivable and
    customer-credit lines), currency, debit and credit. Streamed in batches."""
    queries.check_period(from_, to)
    return StreamingResponse(
        _rows(queries.journal_lines(uow, from_, to)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="journal.csv"'},
    )


async def _rows(lines: AsyncIterator[queries.ExportLine]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    async for x in lines:
        writer.writerow(
            (
                x.entry_id,
                x.posted_at.isoformat(),
                x.memo,
                x.source_type,
                x.source_id,
                x.action,
                x.account,
                queries.account_name(x.account),
                x.customer_code or "",
                x.currency,
                amount_text(x.debit),
                amount_text(x.credit),
            )
        )
        count += 1
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
