"""Delivery plans (运输计划), routes, stops and driver manifests."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.domain.routing.plans import ReplanReason, RouteStatus, StopStatus, Unplannable
from app.schemas.common import AmountOut, Code, DecimalOut, DeliveryAddress, Schema

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Driver = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LocalTime = Annotated[datetime, Field(description="Local to the depot, with its UTC offset")]


class DeliveryPlanCreate(Schema):
    depot: Code = Field(description="The warehouse code the vehicles leave from")
    date: date
    seed: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="Default LADING_ROUTING_SEED"
    )
    time_limit_seconds: float | None = Field(
        default=None, gt=0, le=60, description="Default LADING_ROUTING_TIME_LIMIT_SECONDS"
    )


class DeliveryPlanReplan(Schema):
    reason: ReplanReason
    route_id: uuid.UUID | None = Field(
        default=None, description="The broken vehicle's route (required for vehicle_breakdown)"
    )
    note: Note | None = None


class RouteStart(Schema):
    driver: Driver | None = Field(default=None, description="Default the vehicle's driver")


class StopArrival(Schema):
    at: datetime | None = Field(default=None, description="Default now")


class StopFailure(Schema):
    reason: Note = Field(description="Why the goods could not be handed over")
    at: datetime | None = Field(default=None, description="Default now")
    replan: bool = Field(default=True, description="Re-plan the day's open stops at once")


class VehicleRef(Schema):
    id: uuid.UUID
    code: str
    plate: str | None


class DepotRef(Schema):
    id: uuid.UUID
    code: str


class RouteLoad(Schema):
    weight_kg: DecimalOut
    volume_m3: DecimalOut
    capacity_kg: DecimalOut
    capacity_m3: DecimalOut


class StopRead(Schema):
    id: uuid.UUID
    seq: int = Field(description="Visit order on the route, from 1")
    shipment_id: uuid.UUID
    shipment_number: str
    status: StopStatus
    planned_arrival: LocalTime
    planned_departure: LocalTime
    window_start: datetime | None = Field(description="The delivery window it is planned in")
    window_end: datetime | None
    wait_minutes: int = Field(description="Waiting for the window to open")
    distance_km: DecimalOut = Field(description="From the previous stop (or the depot)")
    packages: int
    weight_kg: DecimalOut
    volume_m3: DecimalOut
    arrived_at: datetime | None
    completed_at: datetime | None
    failure_reason: str | None
    ship_to: DeliveryAddress


class RouteRead(Schema):
    id: uuid.UUID
    route_no: int
    vehicle: VehicleRef
    status: RouteStatus
    planned_start: LocalTime
    planned_end: LocalTime = Field(description="Back at the depot")
    distance_km: DecimalOut
    duration_minutes: int
    load: RouteLoad
    cost: AmountOut = Field(description="Fixed + distance + time, in the plan's currency")
    driver: str | None
    started_at: datetime | None
    finished_at: datetime | None
    broken_down_at: datetime | None
    stops: list[StopRead]
    loading_order: list[str] = Field(
        description="Shipment numbers in loading order: the last stop is loaded first"
    )


class UnplannedRead(Schema):
    shipment_id: uuid.UUID
    shipment_number: str
    reason: Unplannable
    message: str


class ReplanRead(Schema):
    reason: ReplanReason
    at: datetime
    by: str
    note: str | None
    route_id: uuid.UUID | None


class DeliveryPlanRead(Schema):
    id: uuid.UUID
    number: str
    depot: DepotRef
    date: date
    time_zone: str = Field(description="The depot's; every planned time is local to it")
    revision: int = Field(description="1, then one more for each re-plan")
    solver: str
    seed: int
    solve_seconds: DecimalOut
    cost: AmountOut
    currency: str
    routes: list[RouteRead]
    unplanned: list[UnplannedRead] = Field(description="Stops that could not be planned, why")
    replans: list[ReplanRead]
    created_at: datetime
    created_by: str
    updated_at: datetime
    version: int


class ManifestContact(Schema):
    name: str | None
    phone: str | None


class ManifestGoods(Schema):
    sku: str
    name: str
    quantity: DecimalOut


class ManifestPackage(Schema):
    package_no: int
    weight_kg: DecimalOut
    dimensions_cm: str


class ManifestStop(Schema):
    seq: int
    stop_id: uuid.UUID
    status: StopStatus
    shipment_number: str
    order_number: str
    customer: str
    contact: ManifestContact
    ship_to: DeliveryAddress
    planned_arrival: LocalTime
    window_start: datetime | None
    window_end: datetime | None
    packages: list[ManifestPackage]
    goods: list[ManifestGoods]
    notes: str | None


class DriverManifestRead(Schema):
    """派车单: what the driver's phone shows for one route."""

    plan_number: str
    date: date
    route_no: int
    vehicle: VehicleRef
    driver: str | None
    driver_phone: str | None
    depot: DepotRef
    depot_address: dict[str, Any] | None
    planned_start: LocalTime
    planned_end: LocalTime
    distance_km: DecimalOut
    stops: list[ManifestStop]
    loading_order: list[str]
