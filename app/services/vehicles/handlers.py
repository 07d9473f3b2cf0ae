"""Vehicle commands: create, update (deactivate)."""

from __future__ import annotations

from app.domain.errors import DuplicateKey
from app.domain.products import raise_for_issues
from app.domain.routing.vehicles import vehicle_issues
from app.repositories.vehicles import Vehicle
from app.services.bus import Context
from app.services.common import check_version
from app.services.resources import apply_update, columns_of, record_created
from app.services.unit_of_work import UnitOfWork
from app.services.vehicles.commands import CreateVehicle, UpdateVehicle
from app.services.vehicles.views import VehicleView, depot_named, term_columns, terms_of


async def create_vehicle(cmd: CreateVehicle, uow: UnitOfWork, ctx: Context) -> VehicleView:
    """A new vehicle: its rules hold, its code is unique and its depot an active warehouse."""
    values = columns_of(cmd, exclude=("principal", "depot"))
    raise_for_issues(vehicle_issues(terms_of(values)))
    async with uow:
        if await uow.vehicles.get_by_code(cmd.code):
            raise DuplicateKey(f"A vehicle with code '{cmd.code}' already exists.")
        depot = await depot_named(uow, cmd.depot)
        vehicle = Vehicle(**values, depot_warehouse_id=depot.id)
        uow.vehicles.add(vehicle)
        await record_created(uow, cmd.principal, "vehicle", vehicle)
        await uow.commit()
    return VehicleView(vehicle, depot.code)


async def update_vehicle(cmd: UpdateVehicle, uow: UnitOfWork, ctx: Context) -> VehicleView:
    """Change the given fields at the expected version; the vehicle as it would be afterwards
    must keep the rules, and a new depot must be an active warehouse."""
    changes = dict(cmd.changes)
    async with uow:
        vehicle = await uow.vehicles.get_or_raise(cmd.vehicle_id)
        check_version(vehicle, cmd.expected_version)
        if "depot" in changes:
            changes["depot_warehouse_id"] = (await depot_named(uow, changes.pop("depot"))).id
        raise_for_issues(vehicle_issues(terms_of({**term_columns(vehicle), **changes})))
        await apply_update(uow, cmd.principal, "vehicle", vehicle, changes, cmd.expected_version)
        codes = await uow.vehicles.depot_codes([vehicle])
        await uow.commit()
    return VehicleView(vehicle, codes[vehicle.depot_warehouse_id])
