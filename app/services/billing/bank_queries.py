"""Reading bank statements: one with its lines, and the lines by status (finance's queue)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.billing.bank_statements import LineStatus, SkippedRow
from app.repositories.bank_statements import BankStatement, BankStatementLine
from app.repositories.pagination import PageResult
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LineView:
    """A statement line: stored, or (``duplicate``) a transfer an earlier statement holds,
    shown in the import's answer only (``duplicate_of`` is that earlier line)."""

    id: uuid.UUID | None
    statement_id: uuid.UUID | None
    line_no: int
    booked_on: date
    amount: Decimal
    currency: str
    payer_name: str
    payer_account: str | None
    memo: str
    status: str
    customer_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None
    payment_id: uuid.UUID | None = None
    matched_rule: str | None = None
    matched_by: str | None = None
    duplicate_of: uuid.UUID | None = None

    @classmethod
    def of(cls, row: BankStatementLine) -> LineView:
        return cls(
            id=row.id,
            statement_id=row.statement_id,
            line_no=row.line_no,
            booked_on=row.booked_on,
            amount=row.amount,
            currency=row.currency,
            payer_name=row.payer_name,
            payer_account=row.payer_account,
            memo=row.memo,
            status=row.status,
            customer_id=row.customer_id,
            invoice_id=row.invoice_id,
            payment_id=row.payment_id,
            matched_rule=row.matched_rule,
            matched_by=row.matched_by,
        )


@dataclass(frozen=True)
class StatementView:
    statement: BankStatement
    lines: list[LineView]
    skipped: list[SkippedRow] = field(default_factory=list)
    # False when the same file had been imported before (this is that statement).
    created: bool = True

    def counts(self) -> dict[str, int]:
        by_status = Counter(x.status for x in self.lines)
        return {
            "lines": len(self.lines),
            **{s.value: by_status.get(s.value, 0) for s in LineStatus},
            "skipped": len(self.skipped),
        }


async def load_statement(
    uow: UnitOfWork, statement: BankStatement, *, created: bool = True
) -> StatementView:
    rows = await uow.bank_statements.lines(statement.id)
    return StatementView(statement, [LineView.of(r) for r in rows], created=created)


async def get_statement(uow: UnitOfWork, statement_id: uuid.UUID) -> StatementView:
    async with uow:
        statement = await uow.bank_statements.get_or_raise(statement_id)
        return await load_statement(uow, statement)


async def list_lines(
    uow: UnitOfWork, status: str | None, *, limit: int, cursor: str | None
) -> PageResult[LineView]:
    async with uow:
        page = await uow.bank_statements.page_lines(status, limit=limit, cursor=cursor)
    return PageResult(items=[LineView.of(r) for r in page.items], next_cursor=page.next_cursor)
