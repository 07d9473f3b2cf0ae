"""Bank statements (结算): imported statements, their lines, and what finance asks of a line."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.schemas.common import AmountOut, Schema
from app.services.billing.bank_commands import IgnoreBankLine, MatchBankLine
from app.services.billing.bank_queries import LineView, StatementView


class BankLineRead(Schema):
    id: uuid.UUID | None = Field(description="None for a duplicate (not stored again)")
    statement_id: uuid.UUID | None
    line_no: int = Field(description="The data row of the file (1 = the row after the header)")
    booked_on: date
    amount: AmountOut
    currency: str
    payer_name: str
    payer_account: str | None
    memo: str
    status: str = Field(description="matched, unmatched, ignored, or duplicate (import only)")
    customer_id: uuid.UUID | None
    invoice_id: uuid.UUID | None = Field(description="The (first) invoice the payment paid")
    payment_id: uuid.UUID | None
    matched_rule: str | None = Field(description="invoice_number, customer_amount or manual")
    matched_by: str | None
    duplicate_of: uuid.UUID | None = Field(
        description="For a duplicate: the line of an earlier statement with the same transfer"
    )


class SkippedRowRead(Schema):
    line_no: int
    reason: str = Field(description="not_a_credit: an empty, zero or negative credit amount")


class BankStatementCounts(Schema):
    lines: int
    matched: int
    unmatched: int
    ignored: int
    duplicate: int
    skipped: int


class BankStatementRead(Schema):
    id: uuid.UUID
    digest: str = Field(description="SHA-256 of the file")
    filename: str | None
    encoding: str = Field(description="utf-8, utf-8-sig or gb18030")
    imported_at: datetime
    imported_by: str
    counts: BankStatementCounts
    lines: list[BankLineRead]
    skipped: list[SkippedRowRead] = Field(description="Rows that were not receipts (import only)")


def line_read(view: LineView) -> BankLineRead:
    return BankLineRead.model_validate(view, from_attributes=True)


def statement_read(view: StatementView) -> BankStatementRead:
    s = view.statement
    return BankStatementRead(
        id=s.id,
        digest=s.digest,
        filename=s.filename,
        encoding=s.encoding,
        imported_at=s.imported_at,
        imported_by=s.imported_by,
        counts=BankStatementCounts(**view.counts()),
        lines=[line_read(x) for x in view.lines],
        skipped=[SkippedRowRead(line_no=x.line_no, reason=x.reason) for x in view.skipped],
    )


class BankLineMatch(Schema):
    """Whose payment the line is; the invoices it pays, in order (default: the customer's open
    invoices in the line's currency, oldest due first). What is left is unapplied credit."""

    customer_id: uuid.UUID
    invoice_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=100)

    def to_command(self, principal: Principal, line_id: uuid.UUID) -> MatchBankLine:
        return MatchBankLine(
            principal=principal,
            line_id=line_id,
            customer_id=self.customer_id,
            invoice_ids=tuple(self.invoice_ids) if self.invoice_ids else None,
        )


class BankLineIgnore(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]

    def to_command(self, principal: Principal, line_id: uuid.UUID) -> IgnoreBankLine:
        return IgnoreBankLine(principal=principal, line_id=line_id, reason=self.reason)
