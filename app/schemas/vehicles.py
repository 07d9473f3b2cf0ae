"""The own fleet's vehicles (车辆)."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from app.domain.auth import Principal
from app.domain.limits import numeric_max
from app.domain.products import GoodsClass
from app.schemas.common import (
    AmountOut,
    ClockTime,
    Code,
    CurrencyCode,
    DecimalOut,
    Name,
    NonNegativeMoney,
    Schema,
)
from app.schemas.patch import Patch
from app.services.vehicles.commands import CreateVehicle, UpdateVehicle

Plate = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Capacity = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3, le=numeric_max(12, 3))]
RouteMinutes = Annotated[
    int, Field(gt=0, le=1440, description="The longest a route may last; null: the whole shift")
]
GoodsClasses = Annotated[
    list[GoodsClass],
    Field(min_length=1, max_length=len(GoodsClass), description="Goods classes it carries"),
]
_TIMES = ("shift_start", "shift_end")


def _clock(value: Any) -> Any:
    return value.strftime("%H:%M") if isinstance(value, time) else value


ClockOut = Annotated[str, BeforeValidator(_clock)]


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Times as ``time``, goods classes as their names, each once, in the order given."""
    for name in _TIMES:
        if values.get(name) is not None:
            values[name] = time.fromisoformat(values[name])
    if values.get("goods_classes") is not None:
        values["goods_classes"] = list(dict.fromkeys(str(g) for g in values["goods_classes"]))
    return values


class VehicleCreate(Schema):
    code: Code
    name: Name
    depot: Code = Field(description="Code of the warehouse it starts from and returns to")
    plate: Plate | None = Field(default=None, description="Licence plate, e.g. 沪A·12345")
    capacity_kg: Capacity
    capacity_m3: Capacity
    shift_start: ClockTime
    shift_end: ClockTime = Field(description="After shift_start the same day (no overnight)")
    max_route_minutes: RouteMinutes | None = None
    fixed_cost: NonNegativeMoney = Field(
        default=Decimal(0), description="Cost of using the vehicle on a day's route"
    )
    cost_per_km: NonNegativeMoney = Decimal(0)
    cost_per_hour: NonNegativeMoney = Decimal(0)
    currency: CurrencyCode = Field(description="Currency of the costs, ISO 4217")
    goods_classes: GoodsClasses = Field(
        default_factory=lambda: [GoodsClass.GENERAL], description="Repeats are dropped"
    )
    driver_name: Name | None = Field(default=None, description="Shown on the driver manifest")
    driver_phone: Phone | None = None
    active: bool = True

    def to_command(self, principal: Principal) -> CreateVehicle:
        return CreateVehicle(principal=principal, **_columns(self.model_dump()))


class VehicleUpdate(Schema):
    """Fields left out stay as they are; plate, max_route_minutes and the driver may be
    cleared with null."""

    name: Patch[Name] = None
    depot: Patch[Code] = None
    plate: Plate | None = None
    capacity_kg: Patch[Capacity] = None
    capacity_m3: Patch[Capacity] = None
    shift_start: Patch[ClockTime] = None
    shift_end: Patch[ClockTime] = None
    max_route_minutes: RouteMinutes | None = None
    fixed_cost: Patch[NonNegativeMoney] = None
    cost_per_km: Patch[NonNegativeMoney] = None
    cost_per_hour: Patch[NonNegativeMoney] = None
    currency: Patch[CurrencyCode] = None
    goods_classes: Patch[GoodsClasses] = None
    driver_name: Name | None = None
    driver_phone: Phone | None = None
    active: Patch[bool] = None

    def to_command(
        self, principal: Principal, vehicle_id: uuid.UUID, expected_version: int
    ) -> UpdateVehicle:
        return UpdateVehicle(
            principal=principal,
            vehicle_id=vehicle_id,
            expected_version=expected_version,
            changes=_columns(self.model_dump(exclude_unset=True)),
        )


class VehicleRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    depot: str = Field(description="Code of its depot warehouse")
    depot_warehouse_id: uuid.UUID
    plate: str | None
    capacity_kg: DecimalOut
    capacity_m3: DecimalOut
    shift_start: ClockOut = Field(description="HH:MM, local time at the depot")
    shift_end: ClockOut
    max_route_minutes: int | None
    fixed_cost: AmountOut
    cost_per_km: AmountOut
    cost_per_hour: AmountOut
    currency: str
    goods_classes: list[str]
    driver_name: str | None
    driver_phone: str | None
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime
