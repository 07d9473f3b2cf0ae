"""Receivables: customer statements (对账单) and aging."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from app.schemas.common import AmountOut, DecimalOut, Schema


class StatementRow(Schema):
    posted_at: datetime
    document_type: str = Field(description="invoice, payment, credit_note or refund")
    document_number: str | None
    action: str = Field(description="What happened: issued, received, paid, reversed, applied")
    description: str
    amount: AmountOut = Field(description="Owed more (+) or less (−)")
    balance: AmountOut = Field(description="Running balance after this row")


class CurrencyStatement(Schema):
    currency: str
    opening_balance: AmountOut = Field(description="Owed before `from` (negative: credit)")
    rows: list[StatementRow]
    closing_balance: AmountOut = Field(description="Owed at the end of `to`")


class StatementRead(Schema):
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    from_date: date
    to_date: date
    currencies: list[CurrencyStatement]


class AgingAmounts(Schema):
    currency: str
    current: AmountOut = Field(description="Not yet due")
    days_1_30: AmountOut
    days_31_60: AmountOut
    days_61_90: AmountOut
    over_90: AmountOut
    total: AmountOut
    invoiced: AmountOut = Field(description="Invoiced in the DSO window (`days` up to as_of)")
    dso: DecimalOut | None = Field(description="Days sales outstanding; null with no revenue")


class CustomerAgingRead(Schema):
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    currencies: list[AgingAmounts]


class AgingRead(Schema):
    as_of: date
    days: int = Field(description="The DSO window in days")
    customers: list[CustomerAgingRead]
    totals: list[AgingAmounts] = Field(description="Per currency")
