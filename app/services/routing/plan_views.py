"""A delivery plan as one document (the API's read model and the outbox payload): times
local to the depot with their offset, loads against capacity, the loading order."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.repositories.base import jsonable
from app.repositories.delivery_plans import DeliveryPlan, DeliveryRoute, DeliveryStop
from app.services.unit_of_work import UnitOfWork


def midnight(day: date, tz: str) -> datetime:
    """Local midnight of ``day`` at the depot, in UTC: plan times count seconds from it."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def clock(plan: DeliveryPlan, seconds: int) -> datetime:
    return midnight(plan.plan_date, plan.time_zone) + timedelta(seconds=seconds)


def seconds_of(plan: DeliveryPlan, at: datetime) -> int:
    return int((at - midnight(plan.plan_date, plan.time_zone)).total_seconds())


def _local(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat() if value is not None else None


def _km(metres: int) -> str:
    return str((Decimal(metres) / 1000).quantize(Decimal("0.01")))


async def load_plan(uow: UnitOfWork, plan_id: uuid.UUID) -> DeliveryPlan:
    return await uow.delivery_plans.get_or_raise(plan_id)


async def plan_document(uow: UnitOfWork, plan: DeliveryPlan) -> dict[str, Any]:
    tz = ZoneInfo(plan.time_zone)
    routes = await uow.delivery_plans.routes(plan.id)
    stops = await uow.delivery_plans.stops(plan.id)
    shipments = {s.id: s for s in await uow.shipments.get_many([x.shipment_id for x in stops])}
    vehicles = {v.id: v for v in await uow.vehicles.get_many([r.vehicle_id for r in routes])}
    depot = await uow.warehouses.get(plan.depot_warehouse_id)
    assert depot is not None
    docs = []
    for r in routes:
        mine = [x for x in stops if x.route_id == r.id]
        docs.append(_route(r, vehicles[r.vehicle_id], mine, shipments, tz))
    document: dict[str, Any] = jsonable(
        {
            "id": plan.id,
            "number": plan.number,
            "depot": {"id": depot.id, "code": depot.code},
            "date": plan.plan_date,
            "time_zone": plan.time_zone,
            "revision": plan.revision,
            "solver": plan.solver,
            "seed": plan.seed,
            "solve_seconds": plan.solve_seconds,
            "cost": plan.cost,
            "currency": plan.currency,
            "routes": docs,
            "unplanned": plan.unplanned,
            "replans": plan.replans,
            "created_at": plan.created_at,
            "created_by": plan.created_by,
            "updated_at": plan.updated_at,
            "version": plan.version,
        }
    )
    return document


def _route(
    r: DeliveryRoute,
    vehicle: Any,
    stops: list[DeliveryStop],
    shipments: dict[uuid.UUID, Any],
    tz: ZoneInfo,
) -> dict[str, Any]:
    return {
        "id": r.id,
        "route_no": r.route_no,
        "vehicle": {"id": vehicle.id, "code": vehicle.code, "plate": vehicle.plate},
        "status": r.status,
        "planned_start": _local(r.planned_start, tz),
        "planned_end": _local(r.planned_end, tz),
        "distance_km": _km(r.distance_m),
        "duration_minutes": r.duration_s // 60,
        "load": {
            "weight_kg": r.load_kg,
            "volume_m3": r.load_m3,
            "capacity_kg": vehicle.capacity_kg,
            "capacity_m3": vehicle.capacity_m3,
        },
        "cost": r.cost,
        "driver": r.driver or vehicle.driver_name,
        "started_at": _local(r.started_at, tz),
        "finished_at": _local(r.finished_at, tz),
        "broken_down_at": _local(r.broken_down_at, tz),
        "stops": [_stop(x, shipments[x.shipment_id], tz) for x in stops],
        "loading_order": [
            shipments[x.shipment_id].number for x in reversed(stops) if x.status == "planned"
        ],
    }


def _stop(x: DeliveryStop, shipment: Any, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": x.id,
        "seq": x.seq,
        "shipment_id": x.shipment_id,
        "shipment_number": shipment.number,
        "status": x.status,
        "planned_arrival": _local(x.planned_arrival, tz),
        "planned_departure": _local(x.planned_departure, tz),
        "window_start": _local(x.window_start, tz),
        "window_end": _local(x.window_end, tz),
        "wait_minutes": x.wait_s // 60,
        "distance_km": _km(x.distance_m),
        "packages": x.packages,
        "weight_kg": x.weight_kg,
        "volume_m3": x.volume_m3,
        "arrived_at": _local(x.arrived_at, tz),
        "completed_at": _local(x.completed_at, tz),
        "failure_reason": x.failure_reason,
        "ship_to": shipment.ship_to,
    }
