"""Bank statements (结算): import a CSV of received transfers; the queue of unmatched lines."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.deps import AUTHENTICATED, BusDep, PageDep, SettingsDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.errors import RuleViolation
from app.errors import problem_responses
from app.schemas.bank_statements import (
    BankLineIgnore,
    BankLineMatch,
    BankLineRead,
    BankStatementRead,
    line_read,
    statement_read,
)
from app.schemas.common import CurrencyCode, Page
from app.services.billing import bank_queries
from app.services.billing.bank_commands import ImportBankStatement
from app.services.billing.bank_queries import StatementView
from app.uploads import receive_file

router = APIRouter(
    prefix="/api/v1/bank-statements", tags=["bank-statements"], dependencies=AUTHENTICATED
)
lines = APIRouter(
    prefix="/api/v1/bank-statement-lines", tags=["bank-statements"], dependencies=AUTHENTICATED
)
Reader = Annotated[Principal, Depends(requires("payments:read"))]
Writer = Annotated[Principal, Depends(requires("payments:write"))]

CSV_TYPES = {"text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"}
BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "The bank's CSV export (UTF-8, with or without BOM, or GB18030) with a "
        "header row: date (交易日期/记账日期), amount (金额/贷方金额/收入金额), payer name "
        "(对方户名/付款人名称), payer account (对方账号/付款人账号), reference or memo "
        "(摘要/附言/用途/备注) and optionally currency (币种). Send it as the body itself "
        "(`Content-Type: text/csv`) or as the `file` part of a form (only the form is "
        "described here: client generators cannot produce raw text bodies).",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "title": "BankStatementUpload",
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
        },
    }
}


def _check_media_type(media_type: str) -> None:
    if media_type != "multipart/form-data" and media_type not in CSV_TYPES:
        raise RuleViolation.on(
            "header.content-type", "media_type", "Send text/csv, as the body or a form's file."
        )


@router.post(
    "",
    response_model=BankStatementRead,
    status_code=status.HTTP_201_CREATED,
    summary="Import a bank statement",
    openapi_extra=BODY_DOC,
    responses={
        200: {
            "description": "This file was imported before: its statement",
            "model": BankStatementRead,
        },
        **problem_responses(401, 403, 409, 413, 422),
    },
)
async def import_(
    request: Request,
    response: Response,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    settings: SettingsDep,
    currency: Annotated[
        CurrencyCode, Query(description="Currency of lines without a currency column")
    ] = "CNY",
    filename: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> BankStatementRead:
    """Import received transfers: each line naming an open invoice (`INV-…` in the memo), or
    paid by a known customer for exactly one open invoice's balance, becomes a bank-transfer
    payment applied to that invoice (any excess stays unapplied credit); the rest waits in
    the queue. Rows that are not receipts (debits) are skipped and listed. A malformed file
    (encoding, missing columns, a bad row) is refused whole (422). The same file again
    answers 200 with its first statement; a transfer an earlier statement holds is a
    `duplicate` and pays nothing."""
    _check_media_type(request.headers.get("content-type", "").split(";")[0].strip().lower())
    received = await receive_file(request, max_bytes=settings.bank_statement_max_bytes)
    try:
        data = received.upload.file.read()
    finally:
        received.upload.file.close()
    cmd = ImportBankStatement(
        principal=principal,
        data=data,
        currency=currency,
        filename=filename or received.filename,
    )
    view: StatementView = await bus.handle(cmd, uow)
    if not view.created:
        response.status_code = status.HTTP_200_OK
    return statement_read(view)


@router.get(
    "/{statement_id}",
    response_model=BankStatementRead,
    summary="Get a bank statement",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(statement_id: uuid.UUID, uow: UowDep, principal: Reader) -> BankStatementRead:
    """One imported statement with its lines and what became of each."""
    return statement_read(await bank_queries.get_statement(uow, statement_id))


@lines.get(
    "",
    response_model=Page[BankLineRead],
    summary="List bank statement lines (the matching queue)",
    responses=problem_responses(401, 403, 422),
)
async def list_lines(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    status_: Annotated[
        Literal["unmatched", "matched", "ignored"] | None, Query(alias="status")
    ] = "unmatched",
) -> Page[BankLineRead]:
    """Lines by booking date, oldest first; by default the unmatched ones finance matches."""
    result = await bank_queries.list_lines(uow, status_, limit=page.limit, cursor=page.cursor)
    return Page(items=[line_read(x) for x in result.items], next_cursor=result.next_cursor)


@lines.post(
    "/{line_id}/match",
    response_model=BankLineRead,
    summary="Match a bank statement line by hand",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def match(
    line_id: uuid.UUID, body: BankLineMatch, bus: BusDep, uow: UowDep, principal: Writer
) -> BankLineRead:
    """The line is the named customer's payment: received (bank transfer) and applied to the
    named invoices in order, or oldest due first, each up to what it owes; the rest is the
    customer's unapplied credit. A line already matched or ignored is a 409."""
    return line_read(await bus.handle(body.to_command(principal, line_id), uow))


@lines.post(
    "/{line_id}/ignore",
    response_model=BankLineRead,
    summary="Ignore a bank statement line",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def ignore(
    line_id: uuid.UUID, body: BankLineIgnore, bus: BusDep, uow: UowDep, principal: Writer
) -> BankLineRead:
    """Take an unmatched line out of the queue with a reason (not a customer's payment)."""
    return line_read(await bus.handle(body.to_command(principal, line_id), uow))
