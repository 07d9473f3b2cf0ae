"""The own fleet's vehicles, each based at a depot (a warehouse)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, IfMatchDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Code, Page
from app.schemas.vehicles import VehicleCreate, VehicleRead, VehicleUpdate
from app.services.vehicles import queries
from app.services.vehicles.views import VehicleView

router = APIRouter(prefix="/api/v1/vehicles", tags=["vehicles"], dependencies=AUTHENTICATED)
# Fleet master data is the warehouse's, like warehouses and carriers.
Reader = Annotated[Principal, Depends(requires("warehouses:read"))]
Writer = Annotated[Principal, Depends(requires("warehouses:write"))]


def _read(view: VehicleView) -> VehicleRead:
    values = {
        name: getattr(view.vehicle, name) for name in VehicleRead.model_fields if name != "depot"
    }
    return VehicleRead.model_validate({**values, "depot": view.depot})


@router.post(
    "",
    response_model=VehicleRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a vehicle",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: VehicleCreate, bus: BusDep, uow: UowDep, principal: Writer, set_etag: ETagDep
) -> VehicleRead:
    """Create a vehicle at an active depot; its code is unique, its capacities above zero and
    its shift within one day."""
    view = await bus.handle(body.to_command(principal), uow)
    set_etag(view.vehicle.version)
    return _read(view)


@router.get(
    "",
    response_model=Page[VehicleRead],
    summary="List vehicles",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    depot: Annotated[Code | None, Query(description="Warehouse code of the depot")] = None,
    active: bool | None = None,
) -> Page[VehicleRead]:
    """Vehicles by code, filtered by depot and active flag."""
    result = await queries.list_vehicles(
        uow, depot=depot, active=active, limit=page.limit, cursor=page.cursor
    )
    return Page(items=[_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{vehicle_id}",
    response_model=VehicleRead,
    summary="Get a vehicle",
    responses=problem_responses(401, 403, 404),
)
async def get(
    vehicle_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> VehicleRead:
    """One vehicle; the ETag header carries its version for a later update."""
    view = await queries.get_vehicle(uow, vehicle_id)
    set_etag(view.vehicle.version)
    return _read(view)


@router.patch(
    "/{vehicle_id}",
    response_model=VehicleRead,
    summary="Update or deactivate a vehicle",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update(
    vehicle_id: uuid.UUID,
    body: VehicleUpdate,
    version: IfMatchDep,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    set_etag: ETagDep,
) -> VehicleRead:
    """Change the given fields; `active: false` deactivates; the vehicle as changed must keep
    the rules (e.g. a new `shift_end` after the stored `shift_start`). Needs `If-Match`."""
    view = await bus.handle(body.to_command(principal, vehicle_id, version), uow)
    set_etag(view.vehicle.version)
    return _read(view)
