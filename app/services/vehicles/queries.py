"""Reading vehicles."""

from __future__ import annotations

import uuid

from app.domain.errors import UnknownReference
from app.repositories.pagination import PageResult
from app.services.unit_of_work import UnitOfWork
from app.services.vehicles.views import VehicleView


async def get_vehicle(uow: UnitOfWork, vehicle_id: uuid.UUID) -> VehicleView:
    async with uow:
        vehicle = await uow.vehicles.get_or_raise(vehicle_id)
        codes = await uow.vehicles.depot_codes([vehicle])
    return VehicleView(vehicle, codes[vehicle.depot_warehouse_id])


async def list_vehicles(
    uow: UnitOfWork,
    *,
    depot: str | None,
    active: bool | None,
    limit: int,
    cursor: str | None,
) -> PageResult[VehicleView]:
    """Vehicles by code, of the depot with warehouse code ``depot`` when given."""
    async with uow:
        depot_id: uuid.UUID | None = None
        if depot is not None:
            warehouse = await uow.warehouses.get_by_code(depot)
            if warehouse is None:
                raise UnknownReference.on("depot", "exists", f"No warehouse with code '{depot}'.")
            depot_id = warehouse.id
        page = await uow.vehicles.page(
            depot_warehouse_id=depot_id, active=active, limit=limit, cursor=cursor
        )
        codes = await uow.vehicles.depot_codes(page.items)
    return PageResult(
        [VehicleView(v, codes[v.depot_warehouse_id]) for v in page.items], page.next_cursor
    )
