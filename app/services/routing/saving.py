"""A solved day onto the plan's rows: routes per vehicle, stops in order with their times,
the shipments' promised arrival, what could not be planned and why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.domain.routing.drafts import DraftRoute
from app.domain.routing.plans import DONE_STOPS, REASONS, RouteStatus, StopStatus
from app.domain.routing.schedule import StopTime, route_cost
from app.repositories.delivery_plans import DeliveryPlan, DeliveryRoute, DeliveryStop
from app.repositories.vehicles import Vehicle
from app.services.routing.facts import Load
from app.services.routing.plan_views import clock
from app.services.routing.solving import SOLVER, Solved
from app.services.unit_of_work import UnitOfWork


@dataclass
class Current:
    """The plan as it stands: its routes by vehicle id and its stops (empty for a new plan)."""

    routes: list[DeliveryRoute] = field(default_factory=list)
    stops: list[DeliveryStop] = field(default_factory=list)


def _kg(grams: int) -> Decimal:
    return (Decimal(grams) / 1000).quantize(Decimal("0.001"))


async def save(
    uow: UnitOfWork,
    plan: DeliveryPlan,
    solved: Solved,
    current: Current,
    loads: dict[uuid.UUID, Load],
    numbers: dict[uuid.UUID, str],
    vehicles: dict[uuid.UUID, Vehicle],
) -> None:
    by_vehicle = {r.vehicle_id: r for r in current.routes if r.status != RouteStatus.FINISHED}
    open_stops = {x.shipment_id: x for x in current.stops if x.status not in DONE_STOPS}
    kept: set[uuid.UUID] = set()
    used: set[uuid.UUID] = set()
    next_no = max((r.route_no for r in current.routes), default=0) + 1
    arrivals: dict[uuid.UUID, tuple[date, datetime | None]] = {}
    last_seq: dict[uuid.UUID, int] = {}
    for d in solved.draft.routes:
        vehicle_id = uuid.UUID(d.truck.key)
        route = by_vehicle.get(vehicle_id)
        if route is None:
            route = _new_route(plan, vehicle_id, next_no, d)
            next_no += 1
            uow.delivery_plans.add(route)
            await uow.flush()
        used.add(route.id)
        done = [x for x in current.stops if x.route_id == route.id and x.status in DONE_STOPS]
        for i, (place, time) in enumerate(zip(d.places, d.timeline.stops, strict=True)):
            shipment_id = uuid.UUID(place.key)
            stop = open_stops.get(shipment_id) or _new_stop(plan, shipment_id)
            if stop.shipment_id not in open_stops:
                uow.delivery_plans.add(stop)
            kept.add(shipment_id)
            _place_stop(stop, plan, route, len(done) + i + 1, time, loads[shipment_id])
            last_seq[route.id] = stop.seq
            arrivals[shipment_id] = (plan.plan_date, stop.planned_arrival)
        _time_route(route, plan, d, done, vehicles[vehicle_id])
    started = {r.id for r in current.routes if r.status == RouteStatus.STARTED}
    # A stop on a started route stays even when the solver left it out: its goods are on
    # board, so it is driven last.
    for x in open_stops.values():
        if x.shipment_id not in kept and x.route_id in started:
            done_seq = (
                y.seq for y in current.stops if y.route_id == x.route_id and y.status in DONE_STOPS
            )
            x.seq = last_seq.get(x.route_id, max(done_seq, default=0)) + 1
            last_seq[x.route_id] = x.seq
    await uow.delivery_plans.delete_stops(
        [x.id for k, x in open_stops.items() if k not in kept and x.route_id not in started]
    )
    idle = [
        r.id
        for r in current.routes
        if r.status == RouteStatus.PLANNED
        and r.id not in used
        and not any(x.route_id == r.id for x in current.stops if x.status in DONE_STOPS)
    ]
    await uow.flush()
    await uow.delivery_plans.delete_routes(idle)
    await uow.shipments.promise(arrivals)
    plan.unplanned = [
        {
            "shipment_id": key,
            "shipment_number": numbers.get(uuid.UUID(key), ""),
            "reason": reason.value,
            "message": REASONS[reason],
        }
        for key, reason in sorted(
            solved.draft.unplanned.items(), key=lambda kv: numbers.get(uuid.UUID(kv[0]), "")
        )
    ]
    plan.solver = SOLVER
    plan.solve_seconds = Decimal(str(round(solved.seconds, 3)))
    plan.matrix = solved.matrix


def _new_route(
    plan: DeliveryPlan, vehicle_id: uuid.UUID, route_no: int, d: DraftRoute
) -> DeliveryRoute:
    return DeliveryRoute(
        planned_start=clock(plan, d.timeline.departure),
        planned_end=clock(plan, d.timeline.return_at),
        plan_id=plan.id,
        route_no=route_no,
        vehicle_id=vehicle_id,
        status=RouteStatus.PLANNED.value,
        distance_m=0,
        duration_s=0,
        load_kg=Decimal(0),
        load_m3=Decimal(0),
        cost=Decimal(0),
    )


def _new_stop(plan: DeliveryPlan, shipment_id: uuid.UUID) -> DeliveryStop:
    return DeliveryStop(plan_id=plan.id, shipment_id=shipment_id, status=StopStatus.PLANNED.value)


def _place_stop(
    stop: DeliveryStop,
    plan: DeliveryPlan,
    route: DeliveryRoute,
    seq: int,
    time: StopTime,
    load: Load,
) -> None:
    stop.route_id = route.id
    stop.seq = seq
    stop.planned_arrival = clock(plan, time.arrival)
    stop.planned_departure = clock(plan, time.departure)
    stop.window_start = clock(plan, time.window.start) if time.window else None
    stop.window_end = clock(plan, time.window.end) if time.window else None
    stop.wait_s = time.wait
    stop.distance_m = time.distance
    stop.packages = load.packages
    stop.weight_kg = load.weight_kg
    stop.volume_m3 = load.volume_m3


def _time_route(
    route: DeliveryRoute,
    plan: DeliveryPlan,
    d: DraftRoute,
    done: list[DeliveryStop],
    vehicle: Vehicle,
) -> None:
    """The whole run: what was done, then the draft from where the vehicle is now."""
    if route.status == RouteStatus.PLANNED:
        route.planned_start = clock(plan, d.timeline.departure)
    route.planned_end = clock(plan, d.timeline.return_at)
    route.distance_m = sum(x.distance_m for x in done) + d.timeline.distance
    route.duration_s = int((route.planned_end - route.planned_start) / timedelta(seconds=1))
    route.load_kg = sum((x.weight_kg for x in done), Decimal(0)) + _kg(d.weight_g)
    route.load_m3 = sum((x.volume_m3 for x in done), Decimal(0)) + (
        Decimal(d.volume_cm3) / 1_000_000
    ).quantize(Decimal("0.0001"))
    route.cost = route_cost(
        vehicle.fixed_cost,
        vehicle.cost_per_km,
        vehicle.cost_per_hour,
        route.distance_m,
        route.duration_s,
    )
