"""The receivables report (应收账款): series per period and key, totals, aging now and the
customers over their credit limit."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from app.schemas.common import AmountOut, DecimalOut, Schema
from app.schemas.reports import ReportMeta

DSO = (
    "Days sales outstanding: the balance at the end ÷ invoiced in the period × the period's "
    "days inside the range (null when nothing was invoiced)"
)


class ReceivablesFigures(Schema):
    key: str = Field(description="The dimension's key ('' for dimension all)")
    label: str
    currency: str
    invoiced: AmountOut = Field(description="Issued invoices' totals (with VAT) by issue date")
    collected: AmountOut = Field(
        description="Payments applied to invoices by the day applied, less those taken back "
        "(unapplied or reversed) by that day"
    )
    credited: AmountOut = Field(
        description="Credit notes applied to invoices (a voided invoice's red-letter note on "
        "the void date), less those taken back"
    )
    balance: AmountOut = Field(
        description="Receivables at the end: everything invoiced up to it less everything "
        "collected and credited (unapplied payments are customer credit, not netted)"
    )
    dso: DecimalOut | None = Field(description=DSO)


class ReceivablesPointRead(ReceivablesFigures):
    period: date = Field(description="The first day of the period")


class ReceivablesTotalRead(ReceivablesFigures):
    opening_balance: AmountOut = Field(description="Receivables at the end of the day before")
    overdue: AmountOut = Field(description="Open now and past its due date")


class ReceivablesAgingRead(Schema):
    key: str
    label: str
    currency: str
    current: AmountOut = Field(description="Not yet due (or due today)")
    days_1_30: AmountOut
    days_31_60: AmountOut
    days_61_90: AmountOut
    over_90: AmountOut
    total: AmountOut


class OverLimitRead(Schema):
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    currency: str = Field(
        description="The customer's currency (the credit check adds at face value)"
    )
    credit_limit: AmountOut
    open_receivables: AmountOut
    open_orders: AmountOut = Field(description="Approved orders not yet invoiced, and drafts")
    exposure: AmountOut = Field(description="As the credit check computes it")
    excess: AmountOut = Field(description="Exposure over the limit")


class ReceivablesReportRead(ReportMeta):
    today: date = Field(description="The day aging counts days past due on (UTC)")
    series: list[ReceivablesPointRead] = Field(
        description="Every period of the range for each key of `totals` and currency"
    )
    totals: list[ReceivablesTotalRead] = Field(description="Per key, best first, at most `top`")
    total: list[ReceivablesTotalRead] = Field(description="Per currency")
    aging: list[ReceivablesAgingRead] = Field(
        description="Open now by days past due, per key of `totals` and currency"
    )
    aging_total: list[ReceivablesAgingRead] = Field(description="Open now, per currency")
    over_limit: list[OverLimitRead] = Field(
        description="Customers whose exposure is over their credit limit now, the most over "
        "first, at most `top`"
    )
