"""Reports (数据分析): series per period and key, totals per key, and how fresh they are."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from app.schemas.common import AmountOut, DecimalOut, Schema


class ReportMeta(Schema):
    as_of: datetime | None = Field(
        description="Every change committed before this time is in the figures (null: the "
        "summaries were never built)"
    )
    from_date: date
    to_date: date
    group_by: str
    dimension: str
    metric: str
    currency: str | None = Field(description="The reporting currency; null: per currency")


class SalesFigures(Schema):
    key: str = Field(description="The dimension's key ('' for dimension all)")
    label: str
    currency: str
    orders: int
    units: DecimalOut
    net: AmountOut
    average_order_value: AmountOut | None


class SalesPointRead(SalesFigures):
    period: date = Field(description="The first day of the period")


class SalesTotalRead(SalesFigures):
    previous_net: AmountOut = Field(description="Net sales of the period just before")
    change: DecimalOut | None = Field(description="Net change over it (0.25 = +25 %)")


class SalesReportRead(ReportMeta):
    series: list[SalesPointRead]
    totals: list[SalesTotalRead] = Field(description="Per key, best first, at most `top`")
    total: list[SalesTotalRead] = Field(description="Per currency")


class LeadTime(Schema):
    stage: str = Field(description="approval, allocation, shipment, delivery or total")
    p50_hours: int | None
    p90_hours: int | None


class FulfilmentFigures(Schema):
    key: str
    label: str
    orders: int
    shipped: int
    in_full: int
    on_time: int
    otif: int
    otif_rate: DecimalOut | None = Field(description="In full and on time, of delivered ones")
    on_time_rate: DecimalOut | None
    fill_rate: DecimalOut | None = Field(description="Lines filled at the first allocation")
    lead_times: list[LeadTime]


class FulfilmentPointRead(FulfilmentFigures):
    period: date


class BacklogRead(Schema):
    age_days: str
    reserved: int = Field(description="Approved, reserved, not shipped")
    waiting: int = Field(description="Approved, waiting for stock (backordered)")


class FulfilmentReportRead(ReportMeta):
    series: list[FulfilmentPointRead]
    totals: list[FulfilmentFigures]
    backlog: list[BacklogRead] = Field(description="Approved, unshipped orders now, by age")


class IssuesPoint(Schema):
    period: date
    issued: DecimalOut


class StockLineRead(Schema):
    warehouse: str = Field(description="Warehouse code ('' when summed over warehouses)")
    sku: str = Field(description="'' when summed over products")
    currency: str = Field(description="The currency of the value (the product's)")
    on_hand: DecimalOut
    reserved: DecimalOut
    available: DecimalOut
    value: AmountOut = Field(description="On hand at the latest purchase receipt's unit price")
    issued: DecimalOut = Field(description="Units issued in the range")
    days_of_cover: DecimalOut | None
    turnover: DecimalOut | None = Field(description="Issued in the range per unit on hand")
    slow_mover: bool = Field(description="Stock on hand and nothing issued in the range")
    below_reorder: bool | None = Field(description="Per product: available below reorder point")


class StockReportRead(ReportMeta):
    only: str | None
    issues: list[IssuesPoint]
    lines: list[StockLineRead] = Field(description="Best first by `metric`, at most `top`")
