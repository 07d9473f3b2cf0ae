"""Plan a depot's day (运输计划): its own-fleet shipments ready to leave become stops, the
solver gives each available vehicle its route, and the plan is published to the warehouse
and the drivers (``delivery_plan.published``).

Two short transactions around the solve: one reads the day, the other writes the plan; the
solver runs between them with nothing locked. One plan per depot and day (a unique key), so a
second request — or a concurrent one — is a 409 that points at re-planning."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.errors import Conflict, RuleViolation
from app.domain.events import DeliveryPlanPublished
from app.domain.routing.plans import format_plan_number
from app.domain.routing.traffic import RoutingSettings
from app.repositories.delivery_plans import DeliveryPlan
from app.repositories.uow import is_unique_violation
from app.repositories.vehicles import Vehicle
from app.services.bus import Context
from app.services.routing.facts import Load, places_of, truck_of
from app.services.routing.plan_commands import PlanDeliveries
from app.services.routing.plan_views import load_plan, plan_document
from app.services.routing.saving import Current, save
from app.services.routing.solving import Day, solve_day
from app.services.unit_of_work import UnitOfWork


async def plan_deliveries(cmd: PlanDeliveries, uow: UnitOfWork, ctx: Context) -> dict[str, Any]:
    settings = ctx.settings
    async with uow:
        depot = await uow.warehouses.get_by_code(cmd.depot)
        if depot is None or not depot.active:
            raise RuleViolation.on("depot", "unknown", f"No active warehouse {cmd.depot!r}.")
        if await uow.delivery_plans.for_day(depot.id, cmd.plan_date):
            raise Conflict(
                f"{depot.code} has a plan for {cmd.plan_date} already; re-plan it instead.",
                code="plan_exists",
            )
        if depot.latitude is None or depot.longitude is None:
            raise RuleViolation.on(
                "depot", "coordinates_required", f"{depot.code} has no coordinates to leave from."
            )
        vehicles = await uow.vehicles.active_at_depot(depot.id)
        if not vehicles:
            raise RuleViolation.on(
                "depot", "no_vehicles", f"{depot.code} has no active vehicle to plan with."
            )
        shipments = await uow.delivery_plans.candidates(depot.id)
        if not shipments:
            raise RuleViolation.on(
                "depot",
                "no_ready_shipments",
                f"{depot.code} has no own-fleet shipment ready to leave.",
            )
        routing = RoutingSettings.from_document(depot.routing)
        places, loads = await places_of(uow, shipments, cmd.plan_date, routing)
        numbers = {s.id: s.number for s in shipments}
        day = Day(
            depot=(float(depot.latitude), float(depot.longitude)),
            trucks=tuple(truck_of(v) for v in vehicles),
            places=tuple(places),
            routing=routing,
            cached={},
        )
        time_zone, depot_id = depot.time_zone, depot.id
    seed = settings.routing_seed if cmd.seed is None else cmd.seed
    limit = cmd.time_limit or settings.routing_time_limit_seconds
    solved = await solve_day(day, settings, cmd.client, seed=seed, time_limit=limit)
    async with uow:
        plan = DeliveryPlan(
            number=format_plan_number(cmd.plan_date.year, await uow.delivery_plans.next_number()),
            depot_warehouse_id=depot_id,
            plan_date=cmd.plan_date,
            time_zone=time_zone,
            revision=1,
            seed=seed,
            solver="",
            solve_seconds=Decimal(0),
            cost=Decimal(0),
            currency=_currency(vehicles),
            unplanned=[],
            replans=[],
            matrix={},
            created_by=cmd.principal.actor,
            updated_by=cmd.principal.actor,
        )
        uow.delivery_plans.add(plan)
        try:
            await uow.flush()
        except Exception as exc:
            if is_unique_violation(exc):
                raise Conflict(
                    f"{cmd.depot} got a plan for {cmd.plan_date} meanwhile; re-plan it instead.",
                    code="plan_exists",
                ) from exc
            raise
        await _check_still_ready(uow, depot_id, loads)
        await save(uow, plan, solved, Current(), loads, numbers, {v.id: v for v in vehicles})
        await publish(uow, plan, cmd.principal.actor)
        await uow.commit()
        return await plan_document(uow, await load_plan(uow, plan.id))


def _currency(vehicles: list[Vehicle]) -> str:
    return vehicles[0].currency if vehicles else "CNY"


async def _check_still_ready(
    uow: UnitOfWork, depot_id: uuid.UUID, loads: dict[uuid.UUID, Load]
) -> None:
    """The shipments read before the solve are still waiting (none left meanwhile)."""
    now = {s.id for s in await uow.delivery_plans.candidates(depot_id)}
    gone = set(loads) - now
    if gone:
        raise Conflict(
            "Shipments of the depot changed while the plan was being solved; plan again.",
            code="plan_changed",
        )


async def publish(uow: UnitOfWork, plan: DeliveryPlan, actor: str) -> None:
    """Total the routes' costs, stamp the change and publish the plan."""
    await uow.flush()
    routes = await uow.delivery_plans.routes(plan.id)
    plan.cost = sum((r.cost for r in routes), Decimal(0))
    plan.updated_at = datetime.now(UTC)
    plan.updated_by = actor
    await uow.flush()
    document = await plan_document(uow, plan)
    uow.record(
        DeliveryPlanPublished(
            actor=actor, entity_id=plan.id, after={"number": plan.number}, payload=document
        )
    )
