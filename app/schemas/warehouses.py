"""Warehouses and bin locations; a depot's time zone and routing settings."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from app.domain.auth import Principal
from app.domain.routing import depot
from app.domain.routing.windows import clock_seconds
from app.schemas.common import (
    Address,
    AddressRead,
    ClockTime,
    Code,
    DecimalOut,
    Name,
    Priority,
    Schema,
    end_after_start,
    error_at,
)
from app.schemas.patch import Patch
from app.services.warehouses.commands import CreateWarehouse, SetBinLocation, UpdateWarehouse

Latitude = Annotated[Decimal, Field(ge=-90, le=90, max_digits=9, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, max_digits=9, decimal_places=6)]
BinCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=r"^[A-Za-z0-9]{1,16}-[A-Za-z0-9]{1,16}-[A-Za-z0-9]{1,16}-[A-Za-z0-9]{1,16}$",
    ),
]


def _iana(name: str) -> str:
    if not depot.is_time_zone(name):
        raise PydanticCustomError(
            "time_zone", "'{name}' is not a time zone of the IANA database.", {"name": name}
        )
    return name


TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_iana),
    Field(description="IANA time zone the depot's local times are in", examples=["Asia/Shanghai"]),
]
SpeedKmh = Annotated[Decimal, Field(gt=0, le=150, max_digits=5, decimal_places=2)]
RoadFactor = Annotated[Decimal, Field(ge=1, le=3, max_digits=4, decimal_places=3)]
ServiceMinutes = Annotated[int, Field(ge=0, le=240)]
MinutesPerPackage = Annotated[Decimal, Field(ge=0, le=60, max_digits=5, decimal_places=2)]
SpeedFactor = Annotated[Decimal, Field(gt=0, le=2, max_digits=4, decimal_places=3)]


class TrafficPeriod(Schema):
    """A part of the day when traffic moves at ``speed_factor`` times the average speed."""

    start: ClockTime
    end: ClockTime = Field(description="After start, the same day")
    speed_factor: SpeedFactor = Field(description="e.g. 0.6 in the morning rush hour")

    _end_after_start = field_validator("end")(end_after_start)


class DepotRouting(Schema):
    """How routes from this depot are timed. Left-out fields take their defaults; the document
    is stored whole."""

    average_speed_kmh: SpeedKmh = Field(
        default=depot.DEFAULT_AVERAGE_SPEED_KMH, description="Average road speed outside traffic"
    )
    road_factor: RoadFactor = Field(
        default=depot.DEFAULT_ROAD_FACTOR,
        description="Road distance per straight-line distance, where no road network is used",
    )
    service_minutes: ServiceMinutes = Field(
        default=depot.DEFAULT_SERVICE_MINUTES, description="Minutes at each stop"
    )
    service_minutes_per_package: MinutesPerPackage = Field(
        default=depot.DEFAULT_SERVICE_MINUTES_PER_PACKAGE,
        description="Further minutes at a stop for each package delivered",
    )
    traffic: list[TrafficPeriod] = Field(
        default_factory=list,
        max_length=depot.MAX_TRAFFIC_PERIODS,
        description="Periods of slower (or faster) traffic, not overlapping; stored by start",
    )

    @field_validator("traffic")
    @classmethod
    def _not_overlapping(cls, periods: list[TrafficPeriod]) -> list[TrafficPeriod]:
        spans = [(clock_seconds(p.start), clock_seconds(p.end)) for p in periods]
        for index in depot.overlapping_periods(spans):
            raise error_at(
                (index, "start"),
                depot.NO_OVERLAP,
                f"Traffic period {index} overlaps an earlier one.",
                periods[index],
            )
        return sorted(periods, key=lambda p: p.start)

    def document(self) -> dict[str, Any]:
        """As stored: every field, decimals as decimal text."""
        return self.model_dump(mode="json")


class TrafficPeriodRead(Schema):
    start: str
    end: str
    speed_factor: DecimalOut


class DepotRoutingRead(Schema):
    average_speed_kmh: DecimalOut
    road_factor: DecimalOut
    service_minutes: int
    service_minutes_per_package: DecimalOut
    traffic: list[TrafficPeriodRead]


def _routing(data: Schema, values: dict[str, Any]) -> dict[str, Any]:
    """The routing document given, whole (``exclude_unset`` does not reach into it)."""
    routing = getattr(data, "routing", None)
    if "routing" in data.model_fields_set:
        values["routing"] = routing.document() if routing is not None else None
    return values


class WarehouseCreate(Schema):
    code: Code
    name: Name
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    priority: Priority = 100
    active: bool = True
    time_zone: TimeZone = depot.DEFAULT_TIME_ZONE
    routing: DepotRouting | None = Field(
        default=None, description="Delivery planning settings; null: the defaults"
    )

    def to_command(self, principal: Principal) -> CreateWarehouse:
        values: dict[str, Any] = _routing(self, self.model_dump(exclude_unset=True))
        return CreateWarehouse(principal=principal, **values)


class WarehouseUpdate(Schema):
    """Fields left out stay as they are; address, coordinates and routing may be cleared
    with null; a routing document given replaces the stored one as a whole."""

    name: Patch[Name] = None
    address: Address | None = None
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    priority: Patch[Priority] = None
    active: Patch[bool] = None
    time_zone: Patch[TimeZone] = None
    routing: DepotRouting | None = None

    def to_command(
        self, principal: Principal, warehouse_id: uuid.UUID, expected_version: int
    ) -> UpdateWarehouse:
        return UpdateWarehouse(
            principal=principal,
            warehouse_id=warehouse_id,
            expected_version=expected_version,
            changes=_routing(self, self.model_dump(exclude_unset=True)),
        )


class WarehouseRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    address: AddressRead | None
    latitude: DecimalOut | None
    longitude: DecimalOut | None
    priority: int
    active: bool
    time_zone: str
    routing: DepotRoutingRead | None
    version: int
    created_at: datetime
    updated_at: datetime


class BinLocationSet(Schema):
    location: BinCode = Field(description="zone-aisle-shelf-bin, e.g. A-03-2-07")

    def to_command(self, principal: Principal, warehouse_id: uuid.UUID, sku: str) -> SetBinLocation:
        return SetBinLocation(
            principal=principal, warehouse_id=warehouse_id, sku=sku, location=self.location
        )


class BinLocationRead(Schema):
    warehouse_id: uuid.UUID
    sku: str
    location: str
    zone: str
    aisle: str
    shelf: str
    bin: str
