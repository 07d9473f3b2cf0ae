"""Delivery plans for the own fleet (运输计划): plan a depot's day, re-plan it, the driver
manifest (派车单), and dispatch — start a route, arrive at and fail a stop (deliveries are
recorded on the shipment: ``POST /shipments/{id}/deliver``)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, CarrierClientDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.delivery_plans import (
    DeliveryPlanCreate,
    DeliveryPlanRead,
    DeliveryPlanReplan,
    DriverManifestRead,
    RouteStart,
    StopArrival,
    StopFailure,
)
from app.services.routing import manifest, plan_queries
from app.services.routing.plan_commands import (
    ArriveAtStop,
    FailStop,
    PlanDeliveries,
    ReplanDeliveries,
    StartRoute,
)

router = APIRouter(
    prefix="/api/v1/delivery-plans", tags=["delivery-plans"], dependencies=AUTHENTICATED
)
Reader = Annotated[Principal, Depends(requires("stock:read"))]
Dispatcher = Annotated[Principal, Depends(requires("stock:write"))]


def _read(document: dict[str, Any]) -> DeliveryPlanRead:
    return DeliveryPlanRead.model_validate(document)


@router.post(
    "",
    response_model=DeliveryPlanRead,
    status_code=status.HTTP_201_CREATED,
    summary="Plan a depot's deliveries for a day",
    responses=problem_responses(401, 403, 409, 422, 502),
)
async def create(
    body: DeliveryPlanCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Dispatcher,
    client: CarrierClientDep,
) -> DeliveryPlanRead:
    """The depot's own-fleet shipments ready to leave become stops; the solver gives each
    active vehicle of the depot its route within time windows, capacities, shifts and goods
    classes at the least fixed + distance + time cost. Stops that cannot be planned are
    listed with their reason. One plan per depot and day (409 ``plan_exists``: re-plan it);
    422 when the depot has no vehicle or nothing ready."""
    command = PlanDeliveries(
        principal=principal,
        depot=body.depot,
        plan_date=body.date,
        seed=body.seed,
        time_limit=body.time_limit_seconds,
        client=client,
    )
    return _read(await bus.handle(command, uow))


@router.get(
    "",
    response_model=Page[DeliveryPlanRead],
    summary="List delivery plans",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    depot: str | None = Query(default=None, description="Warehouse code"),
    date_: date | None = Query(default=None, alias="date"),
) -> Page[DeliveryPlanRead]:
    """Newest first."""
    result = await plan_queries.list_plans(
        uow, depot=depot, plan_date=date_, limit=page.limit, cursor=page.cursor
    )
    return Page(items=[_read(x) for x in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{plan_id}",
    response_model=DeliveryPlanRead,
    summary="Get a delivery plan",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(plan_id: uuid.UUID, uow: UowDep, principal: Reader) -> DeliveryPlanRead:
    """Routes with their stops in order, planned times local to the depot, loads against
    capacity, costs, the loading order and the stops that could not be planned."""
    return _read(await plan_queries.get_plan(uow, plan_id))


@router.post(
    "/{plan_id}/replan",
    response_model=DeliveryPlanRead,
    summary="Re-plan the rest of the day",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def replan(
    plan_id: uuid.UUID,
    body: DeliveryPlanReplan,
    bus: BusDep,
    uow: UowDep,
    principal: Dispatcher,
    client: CarrierClientDep,
) -> DeliveryPlanRead:
    """Stops delivered or failed stay; a started vehicle keeps its goods and goes on from its
    last stop; every other open stop and every shipment that became ready (urgent) is planned
    again. ``vehicle_breakdown`` names the broken vehicle's ``route_id``: its open stops go to
    the vehicles still at the depot. 409 ``route_finished`` / ``plan_finished`` when nothing
    is left to re-plan; 409 ``plan_changed`` if dispatch moved on during the solve."""
    command = ReplanDeliveries(
        principal=principal,
        plan_id=plan_id,
        reason=body.reason,
        route_id=body.route_id,
        note=body.note,
        client=client,
    )
    return _read(await bus.handle(command, uow))


@router.get(
    "/{plan_id}/routes/{route_id}/manifest",
    response_model=DriverManifestRead,
    summary="Get a route's driver manifest",
    responses=problem_responses(401, 403, 404, 422),
)
async def route_manifest(
    plan_id: uuid.UUID, route_id: uuid.UUID, uow: UowDep, principal: Reader
) -> DriverManifestRead:
    """派车单 for the driver's phone: stops in order with address, contact and phone, time
    window, planned arrival, packages and goods; the loading order."""
    return DriverManifestRead.model_validate(await manifest.driver_manifest(uow, plan_id, route_id))


@router.post(
    "/{plan_id}/routes/{route_id}/start",
    response_model=DeliveryPlanRead,
    summary="Start a route",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def start(
    plan_id: uuid.UUID,
    route_id: uuid.UUID,
    body: RouteStart,
    bus: BusDep,
    uow: UowDep,
    principal: Dispatcher,
) -> DeliveryPlanRead:
    """The vehicle leaves: every shipment on the route is confirmed (stock issued) with the
    vehicle's plate and the driver. 409 ``not_verified`` naming a shipment not scanned yet."""
    command = StartRoute(
        principal=principal, plan_id=plan_id, route_id=route_id, driver=body.driver
    )
    return _read(await bus.handle(command, uow))


@router.post(
    "/{plan_id}/stops/{stop_id}/arrive",
    response_model=DeliveryPlanRead,
    summary="Record arrival at a stop",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def arrive(
    plan_id: uuid.UUID,
    stop_id: uuid.UUID,
    body: StopArrival,
    bus: BusDep,
    uow: UowDep,
    principal: Dispatcher,
) -> DeliveryPlanRead:
    """The driver is at the stop (on a started route)."""
    command = ArriveAtStop(principal=principal, plan_id=plan_id, stop_id=stop_id, at=body.at)
    return _read(await bus.handle(command, uow))


@router.post(
    "/{plan_id}/stops/{stop_id}/fail",
    response_model=DeliveryPlanRead,
    summary="Record a failed stop",
    responses=problem_responses(401, 403, 404, 409, 422, 502),
)
async def fail(
    plan_id: uuid.UUID,
    stop_id: uuid.UUID,
    body: StopFailure,
    bus: BusDep,
    uow: UowDep,
    principal: Dispatcher,
    client: CarrierClientDep,
) -> DeliveryPlanRead:
    """The goods could not be handed over: the stop is done as failed (its goods ride back,
    and the shipment is planned again another day), and the day's open stops are re-planned
    from where each vehicle is, keeping the stops already done."""
    command = FailStop(
        principal=principal,
        plan_id=plan_id,
        stop_id=stop_id,
        reason=body.reason,
        at=body.at,
        replan=body.replan,
        client=client,
    )
    return _read(await bus.handle(command, uow))
