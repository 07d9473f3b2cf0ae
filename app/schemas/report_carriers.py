"""The carriers report (数据分析): shipments, on-time and exception rates, shipping costs."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.schemas.common import AmountOut, DecimalOut, Schema
from app.schemas.reports import ReportMeta


class CarrierReportCost(Schema):
    currency: str = Field(description="The shipments' own cost currency, or the reporting one")
    costed_shipments: int = Field(
        description="Shipments with a shipping cost (the others count in `shipments` only, "
        "never in the cost figures)"
    )
    costed_kg: DecimalOut = Field(description="Their packages' weight, kg")
    cost: AmountOut
    cost_per_shipment: AmountOut | None
    cost_per_kg: AmountOut | None = Field(description="null when they weigh nothing")


class CarrierReportFigures(Schema):
    key: str = Field(
        description="Carrier id or `own_fleet`; `carrier:service` for dimension service; "
        "warehouse id; '' for dimension all"
    )
    label: str = Field(description="Carrier code (`own_fleet`), with the service; warehouse code")
    shipments: int = Field(description="Shipments that left in the period (by their UTC day)")
    delivered_with_promise: int = Field(description="Of them, delivered with a promised date")
    on_time: int = Field(description="Of those, delivered by the promised date")
    on_time_rate: DecimalOut | None = Field(description="on_time / delivered_with_promise")
    exceptions: int = Field(
        description="Shipments with a tracking event or status that raises an alert "
        "(delivery_failed, returned_to_sender, exception)"
    )
    exception_rate: DecimalOut | None = Field(description="exceptions / shipments")
    costs: list[CarrierReportCost] = Field(
        description="Per cost currency (one, the reporting currency, with `currency`)"
    )


class CarrierReportPoint(CarrierReportFigures):
    period: date = Field(description="The first day of the period")


class CarrierReportRead(ReportMeta):
    series: list[CarrierReportPoint] = Field(description="Per period and key (the kept keys)")
    totals: list[CarrierReportFigures] = Field(
        description="Per key, best first by `metric` (most shipments, highest on-time rate, "
        "lowest exception rate or cost; cost metrics without `currency` by the key's main "
        "currency; keys without the figure last), at most `top`"
    )
    total: CarrierReportFigures = Field(description="Every shipment of the range")
