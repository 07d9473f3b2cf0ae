"""The after-sales report (售后分析): returns, return rate and refunds per period and key, and
service cases per kind."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.schemas.common import AmountOut, DecimalOut, Schema
from app.schemas.reports import ReportMeta


class RefundValue(Schema):
    currency: str
    amount: AmountOut


class AfterSalesFigures(Schema):
    key: str = Field(
        description="The dimension's key: a product id, a return reason, 'product id:reason' "
        "('' for dimension all)"
    )
    label: str
    returns: int = Field(description="Returns (RMAs) requested, neither refused nor cancelled")
    returned_units: DecimalOut = Field(
        description="Units received back once a return is received; units asked for while it "
        "is open"
    )
    received_units: DecimalOut = Field(description="Units received back")
    shipped_units: DecimalOut = Field(
        description="Units shipped (by ship day): of the key's product, or of all products"
    )
    return_rate: DecimalOut | None = Field(
        description="returned_units / shipped_units (null when nothing was shipped)"
    )
    refund_value: list[RefundValue] = Field(
        description="Refunds of returns by refund date, per currency (one in the reporting "
        "currency)"
    )


class AfterSalesPointRead(AfterSalesFigures):
    period: date = Field(description="The first day of the period")


class CaseKindRead(Schema):
    kind: str
    opened: int = Field(description="Cases opened in the range")
    resolved: int = Field(description="Cases resolved in the range (not reopened since)")
    resolve_p50_hours: int | None = Field(description="Hours from opening to resolution, p50")
    resolve_p90_hours: int | None
    open_now: int = Field(description="Cases open now (open, in progress, waiting)")


class AfterSalesReportRead(ReportMeta):
    series: list[AfterSalesPointRead]
    totals: list[AfterSalesFigures] = Field(description="Per key, best first, at most `top`")
    total: AfterSalesFigures = Field(description="Every return in the range")
    cases: list[CaseKindRead] = Field(description="Service cases per kind")
