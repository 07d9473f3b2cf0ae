"""Pick lists (拣货单)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from app.domain.limits import numeric_max
from app.schemas.common import Code, DecimalOut, Schema
from app.schemas.stock import Sku

PickListStatusName = Literal["open", "assigned", "picked"]
Picker = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Wave(Schema):
    cutoff: AwareDatetime = Field(description="Take approved orders created before this time")
    max_orders: int = Field(default=50, ge=1, le=500, description="At most this many, oldest first")


class PickListCreate(Schema):
    warehouse: Code = Field(description="Code of the warehouse to pick in")
    order_ids: list[uuid.UUID] | None = Field(
        default=None, min_length=1, max_length=500, description="Pick these orders"
    )
    wave: Wave | None = Field(default=None, description="Or pick a wave of the oldest orders")
    picker: Picker | None = Field(default=None, description="Username or free text")

    @model_validator(mode="after")
    def _one_selection(self) -> PickListCreate:
        if (self.order_ids is None) == (self.wave is None):
            raise ValueError("Give either order_ids or wave.")
        return self


class PickListAssign(Schema):
    picker: Picker


class PickedLine(Schema):
    sku: Sku
    picked: Decimal = Field(
        max_digits=18,
        decimal_places=3,
        examples=["4"],
        le=numeric_max(18, 3),
        ge=-numeric_max(18, 3),
    )


class PickListConfirm(Schema):
    lines: list[PickedLine] = Field(min_length=1, max_length=1000)


class PickListItemRead(Schema):
    order_id: uuid.UUID
    order_number: str
    order_line_id: uuid.UUID
    quantity: DecimalOut
    picked: DecimalOut | None = Field(description="Set when the pick list is confirmed")


class PickListLineRead(Schema):
    id: uuid.UUID
    line_no: int = Field(description="Position on the walking path")
    product_id: uuid.UUID
    sku: str
    location: str | None = Field(description="zone-aisle-shelf-bin, or null when unknown")
    quantity: DecimalOut = Field(description="To pick")
    picked: DecimalOut | None
    orders: list[PickListItemRead]


class PickListRead(Schema):
    id: uuid.UUID
    number: str = Field(examples=["PL-2026-000123"])
    warehouse_id: uuid.UUID
    warehouse: str = Field(description="Warehouse code")
    status: PickListStatusName
    picker: str | None
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime
    picked_at: datetime | None
    version: int
    lines: list[PickListLineRead]
