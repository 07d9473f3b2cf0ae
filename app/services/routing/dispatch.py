"""Dispatch (派车): a route starts (its shipments are confirmed by a reaction of shipments),
the driver records arrival and failure per stop; deliveries come through the shipments'
proof-of-delivery path and close their stop by reaction. A failed stop re-plans the day.

Every dispatch step locks the plan and raises its version, so a re-plan solved meanwhile is
refused instead of overwriting what happened (``plan_changed``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import InvalidState, NotFound
from app.domain.events import RouteStarted, ShipmentDelivered, StopArrived, StopFailed
from app.domain.routing.plans import (
    OPEN_STOPS,
    ReplanReason,
    RouteStatus,
    StopStatus,
    check_can_arrive,
    check_can_fail,
    check_can_start,
    check_route_open,
    route_done,
)
from app.repositories.base import snapshot
from app.repositories.delivery_plans import DeliveryPlan, DeliveryRoute, DeliveryStop
from app.services.bus import Context
from app.services.common import retrying
from app.services.routing.plan_commands import ArriveAtStop, FailStop, ReplanDeliveries, StartRoute
from app.services.routing.plan_views import load_plan, plan_document
from app.services.unit_of_work import UnitOfWork


async def _locked(uow: UnitOfWork, plan_id: uuid.UUID) -> DeliveryPlan:
    plan = await uow.delivery_plans.get_for_update(plan_id)
    if plan is None:
        raise NotFound(f"No delivery plan with id {plan_id}.")
    return plan


def _touch(plan: DeliveryPlan, actor: str, now: datetime) -> None:
    plan.updated_at = now
    plan.updated_by = actor


async def _on_the_road(
    uow: UnitOfWork, plan_id: uuid.UUID, stop_id: uuid.UUID
) -> tuple[DeliveryPlan, DeliveryStop, DeliveryRoute]:
    """The plan (locked), the stop and its route, which must have started."""
    plan = await _locked(uow, plan_id)
    stop = next((x for x in await uow.delivery_plans.stops(plan.id) if x.id == stop_id), None)
    if stop is None:
        raise NotFound(f"No stop {stop_id} on plan {plan.number}.")
    route = await uow.delivery_plans.route(plan.id, stop.route_id)
    assert route is not None
    check_route_open(route.status)
    return plan, stop, route


@retrying
async def start_route(cmd: StartRoute, uow: UnitOfWork, ctx: Context) -> dict[str, Any]:
    """The vehicle leaves with its goods: every shipment on the route is confirmed."""
    now = datetime.now(UTC)
    actor = cmd.principal.actor
    async with uow:
        plan = await _locked(uow, cmd.plan_id)
        route = await uow.delivery_plans.route(plan.id, cmd.route_id)
        if route is None:
            raise NotFound(f"No route {cmd.route_id} on plan {plan.number}.")
        check_can_start(route.status)
        vehicle = await uow.vehicles.get(route.vehicle_id)
        assert vehicle is not None
        stops = [
            x
            for x in await uow.delivery_plans.stops(plan.id)
            if x.route_id == route.id and x.status in OPEN_STOPS
        ]
        if not stops:
            raise InvalidState("This route has no stop to drive to.", code="route_empty")
        before = snapshot(route)
        route.status = RouteStatus.STARTED.value
        route.started_at, route.started_by = now, actor
        route.driver = cmd.driver or route.driver or vehicle.driver_name
        _touch(plan, actor, now)
        uow.record(
            RouteStarted(
                actor=actor,
                entity_id=route.id,
                before=before,
                after=lambda: snapshot(route),
                shipment_ids=tuple(sorted(str(x.shipment_id) for x in stops)),
                vehicle_plate=vehicle.plate or vehicle.code,
                driver=route.driver,
                started_at=now,
            )
        )
        await uow.commit()
        return await plan_document(uow, await load_plan(uow, plan.id))


@retrying
async def arrive_at_stop(cmd: ArriveAtStop, uow: UnitOfWork, ctx: Context) -> dict[str, Any]:
    now = datetime.now(UTC)
    actor = cmd.principal.actor
    async with uow:
        plan, stop, _ = await _on_the_road(uow, cmd.plan_id, cmd.stop_id)
        check_can_arrive(stop.status)
        before = snapshot(stop)
        stop.status = StopStatus.ARRIVED.value
        stop.arrived_at = cmd.at or now
        _touch(plan, actor, now)
        uow.record(StopArrived(actor=actor, entity_id=stop.id, before=before, after=snapshot(stop)))
        await uow.commit()
        return await plan_document(uow, await load_plan(uow, plan.id))


async def fail_stop(cmd: FailStop, uow: UnitOfWork, ctx: Context) -> dict[str, Any]:
    """The goods could not be handed over (nobody in, refused, no access): the stop is done
    as failed, the goods ride back with the vehicle, and the rest of the day is re-planned."""
    await _record_failure(cmd, uow)
    if cmd.replan:
        try:
            # The re-plan is its own command (its own transactions around the solve).
            result: dict[str, Any] = await ctx.bus.handle(
                ReplanDeliveries(
                    principal=cmd.principal,
                    plan_id=cmd.plan_id,
                    reason=ReplanReason.STOP_FAILED,
                    client=cmd.client,
                    note=cmd.reason,
                ),
                uow,
            )
            return result
        except InvalidState as exc:
            if exc.code != "plan_finished":
                raise
    async with uow:
        return await plan_document(uow, await load_plan(uow, cmd.plan_id))


@retrying
async def _record_failure(cmd: FailStop, uow: UnitOfWork) -> None:
    now = datetime.now(UTC)
    actor = cmd.principal.actor
    async with uow:
        plan, stop, route = await _on_the_road(uow, cmd.plan_id, cmd.stop_id)
        check_can_fail(stop.status)
        before = snapshot(stop)
        stop.status = StopStatus.FAILED.value
        stop.completed_at = cmd.at or now
        stop.failure_reason = cmd.reason
        await _finish_if_done(uow, route, now)
        _touch(plan, actor, now)
        uow.record(StopFailed(actor=actor, entity_id=stop.id, before=before, after=snapshot(stop)))
        await uow.commit()


async def _finish_if_done(uow: UnitOfWork, route: DeliveryRoute, now: datetime) -> None:
    await uow.flush()
    statuses = [
        x.status for x in await uow.delivery_plans.stops(route.plan_id) if x.route_id == route.id
    ]
    if route.status == RouteStatus.STARTED and route_done(statuses):
        route.status = RouteStatus.FINISHED.value
        route.finished_at = now


async def on_shipment_delivered(event: ShipmentDelivered, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: a delivered shipment closes its open stop (and its route once all are done)."""
    stop = await uow.delivery_plans.open_stop_of(event.entity_uuid)
    if stop is None:
        return
    now = datetime.now(UTC)
    plan = await _locked(uow, stop.plan_id)
    stop.status = StopStatus.DELIVERED.value
    stop.completed_at = now
    route = await uow.delivery_plans.route(plan.id, stop.route_id)
    assert route is not None
    await _finish_if_done(uow, route, now)
    _touch(plan, event.actor, now)
