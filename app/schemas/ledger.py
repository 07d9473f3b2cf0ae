"""The books: trial balance."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.schemas.common import AmountOut, Schema


class TrialBalanceRow(Schema):
    account: str = Field(description="Account code (e.g. 1122 receivables)")
    name: str
    currency: str
    debit: AmountOut = Field(description="Sum of the account's debits")
    credit: AmountOut = Field(description="Sum of the account's credits")
    balance: AmountOut = Field(description="Debits less credits (negative: a credit balance)")


class TrialBalanceTotal(Schema):
    currency: str
    debit: AmountOut
    credit: AmountOut
    balanced: bool = Field(description="Debits equal credits in this currency")


class TrialBalanceRead(Schema):
    as_of: date = Field(description="Entries posted up to the end of this day (UTC)")
    accounts: list[TrialBalanceRow]
    totals: list[TrialBalanceTotal] = Field(description="Per currency")
