"""Re-plan a day from where it stands (a failed stop, a breakdown, an urgent shipment): stops
delivered or failed stay; a started vehicle keeps the goods on board and goes on from its last
stop, now; every other open stop, and every shipment that became ready, is planned again on
the vehicles not yet out. The plan's version, read before the solve, must still be the same
when the result is written (else 409: someone re-planned or dispatched meanwhile)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import Conflict, InvalidState, RuleViolation
from app.domain.routing.plans import (
    DONE_STOPS,
    ReplanReason,
    RouteStatus,
    check_can_replan_route,
)
from app.domain.routing.problem import Place, Truck
from app.domain.routing.traffic import RoutingSettings
from app.repositories.delivery_plans import DeliveryPlan, DeliveryRoute, DeliveryStop
from app.services.bus import Context
from app.services.routing.facts import places_of, truck_of
from app.services.routing.plan_commands import ReplanDeliveries
from app.services.routing.plan_views import load_plan, plan_document, seconds_of
from app.services.routing.planning import publish
from app.services.routing.saving import Current, save
from app.services.routing.solving import Day, solve_day
from app.services.unit_of_work import UnitOfWork


async def replan_deliveries(cmd: ReplanDeliveries, uow: UnitOfWork, ctx: Context) -> dict[str, Any]:
    now = datetime.now(UTC)
    async with uow:
        plan = await load_plan(uow, cmd.plan_id)
        read = await _read(uow, plan, cmd, now)
    solved = await solve_day(
        read["day"],
        ctx.settings,
        cmd.client,
        seed=plan.seed,
        time_limit=ctx.settings.routing_time_limit_seconds,
    )
    async with uow:
        plan = await uow.delivery_plans.get_for_update_or_raise(cmd.plan_id)
        if plan.version != read["version"]:
            raise Conflict(
                "The plan changed while it was being re-planned; re-plan again.",
                code="plan_changed",
            )
        current = Current(
            routes=await uow.delivery_plans.routes(plan.id),
            stops=await uow.delivery_plans.stops(plan.id),
        )
        if cmd.reason == ReplanReason.VEHICLE_BREAKDOWN and cmd.route_id:
            _break_down(current.routes, cmd.route_id, now)
        await save(uow, plan, solved, current, read["loads"], read["numbers"], read["vehicles"])
        plan.revision += 1
        plan.replans = [
            *plan.replans,
            {
                "reason": cmd.reason.value,
                "at": now.isoformat(),
                "by": cmd.principal.actor,
                "note": cmd.note,
                "route_id": str(cmd.route_id) if cmd.route_id else None,
            },
        ]
        await publish(uow, plan, cmd.principal.actor)
        await uow.commit()
        return await plan_document(uow, await load_plan(uow, plan.id))


def _break_down(routes: list[DeliveryRoute], route_id: uuid.UUID, now: datetime) -> None:
    for r in routes:
        if r.id == route_id:
            r.status = RouteStatus.FINISHED.value
            r.broken_down_at = now
            r.finished_at = now


async def _read(
    uow: UnitOfWork, plan: DeliveryPlan, cmd: ReplanDeliveries, now: datetime
) -> dict[str, Any]:
    routes = await uow.delivery_plans.routes(plan.id)
    stops = await uow.delivery_plans.stops(plan.id)
    broken = _broken(cmd, routes)
    if all(r.status == RouteStatus.FINISHED for r in routes) and not broken:
        raise InvalidState(
            "Every route of this plan is finished; there is nothing left to re-plan.",
            code="plan_finished",
        )
    depot = await uow.warehouses.get(plan.depot_warehouse_id)
    assert depot is not None and depot.latitude is not None and depot.longitude is not None
    routing = RoutingSettings.from_document(depot.routing)
    vehicles = {v.id: v for v in await uow.vehicles.active_at_depot(depot.id)}
    for r in routes:
        if r.vehicle_id not in vehicles:
            vehicle = await uow.vehicles.get(r.vehicle_id)
            assert vehicle is not None
            vehicles[vehicle.id] = vehicle
    # A shipment that failed today stays on its vehicle and comes back with it; it is
    # planned again on another day.
    on_plan = {x.shipment_id for x in stops}
    shipments = {s.id: s for s in await uow.shipments.get_many(on_plan)}
    todo = [shipments[x.shipment_id] for x in stops if x.status not in DONE_STOPS]
    todo += [s for s in await uow.delivery_plans.candidates(depot.id) if s.id not in on_plan]
    places, loads = await places_of(uow, todo, plan.plan_date, routing)
    clock_now = max(0, seconds_of(plan, now))
    trucks, places = _fleet(plan, routes, stops, vehicles, places, broken, clock_now, shipments)
    return {
        "version": plan.version,
        "loads": loads,
        "numbers": {s.id: s.number for s in todo},
        "vehicles": vehicles,
        "day": Day(
            depot=(float(depot.latitude), float(depot.longitude)),
            trucks=tuple(trucks),
            places=tuple(places),
            routing=routing,
            cached=await uow.delivery_plans.matrix_of(plan.id),
        ),
    }


def _broken(cmd: ReplanDeliveries, routes: list[DeliveryRoute]) -> DeliveryRoute | None:
    if cmd.reason != ReplanReason.VEHICLE_BREAKDOWN:
        return None
    if cmd.route_id is None:
        raise RuleViolation.on(
            "route_id", "required", "A breakdown names the route of the broken vehicle."
        )
    route = next((r for r in routes if r.id == cmd.route_id), None)
    if route is None:
        raise RuleViolation.on("route_id", "unknown", "No such route in this plan.")
    check_can_replan_route(route.status)
    return route


def _fleet(
    plan: DeliveryPlan,
    routes: list[DeliveryRoute],
    stops: list[DeliveryStop],
    vehicles: dict[uuid.UUID, Any],
    places: list[Place],
    broken: DeliveryRoute | None,
    now: int,
    shipments: dict[uuid.UUID, Any],
) -> tuple[list[Truck], list[Place]]:
    """The vehicles still usable and the stops to plan: a started vehicle leaves from its
    last stop now, sealed with its goods on board; finished and broken ones are out."""
    out = {r.vehicle_id for r in routes if r.status == RouteStatus.FINISHED}
    if broken is not None:
        out.add(broken.vehicle_id)
    trucks, pins = [], {}
    for vehicle_id, vehicle in vehicles.items():
        if vehicle_id in out:
            continue
        route = next((r for r in routes if r.vehicle_id == vehicle_id), None)
        truck = truck_of(vehicle)
        if route is not None and route.status == RouteStatus.STARTED:
            truck = _under_way(plan, truck, route, stops, now, shipments)
            for x in stops:
                if x.route_id == route.id and x.status not in DONE_STOPS:
                    pins[str(x.shipment_id)] = truck.key
        elif now > truck.shift_start:
            truck = replace(truck, earliest=now)
        trucks.append(truck)
    return trucks, [replace(p, pinned=pins.get(p.key)) for p in places]


def _under_way(
    plan: DeliveryPlan,
    truck: Truck,
    route: DeliveryRoute,
    stops: list[DeliveryStop],
    now: int,
    shipments: dict[uuid.UUID, Any],
) -> Truck:
    done = [x for x in stops if x.route_id == route.id and x.status in DONE_STOPS]
    at, earliest = None, max(now, truck.shift_start)
    if done:
        last = max(done, key=lambda x: x.seq)
        # It leaves its last stop once done there, and not before it was planned to be there
        # (a re-plan made before the day began keeps the day's own clock).
        finished = last.completed_at or last.planned_departure
        earliest = max(earliest, seconds_of(plan, finished), seconds_of(plan, last.planned_arrival))
        ship_to = shipments.get(last.shipment_id)
        if ship_to is not None and ship_to.ship_to.get("latitude") is not None:
            at = (float(ship_to.ship_to["latitude"]), float(ship_to.ship_to["longitude"]))
    return replace(truck, at=at, earliest=earliest, sealed=True, fixed_paid=True)
