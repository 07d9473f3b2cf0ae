"""Allocations, reservations and backorders."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field

from app.schemas.common import DecimalOut, Schema


class ReservationRead(Schema):
    order_line_id: uuid.UUID
    sku: str
    warehouse_id: uuid.UUID
    quantity: DecimalOut
    expires_at: datetime | None


class AllocationLine(Schema):
    line_id: uuid.UUID
    sku: str
    ordered: DecimalOut
    reserved: DecimalOut
    shipped: DecimalOut
    backordered: DecimalOut


class AllocationRead(Schema):
    order_id: uuid.UUID
    number: str
    status: str
    fulfillment_status: str
    lines: list[AllocationLine]
    reservations: list[ReservationRead]
    strategy: str | None = Field(description="Strategy of the last allocation")
    policy: str | None = Field(description="ship_partial or ship_complete")
    allocated_at: datetime | None
    explanation: dict[str, Any] | None = Field(
        description="Warehouses considered, what each could fill, why, substitutes, transfers"
    )


class BackorderRead(Schema):
    order_id: uuid.UUID
    order_number: str
    line_id: uuid.UUID
    sku: str
    customer_id: uuid.UUID
    customer_code: str
    backordered: DecimalOut
    priority: int
    requested_delivery_date: date | None
    age_days: int
    expected_date: date | None = Field(
        description="When stock is expected, from open purchase orders and production requests"
    )
