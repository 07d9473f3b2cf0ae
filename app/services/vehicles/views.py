"""A vehicle as the API shows it (with its depot's code) and as its rules read it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import RuleViolation, UnknownReference
from app.domain.routing.vehicles import VehicleTerms
from app.repositories.vehicles import Vehicle
from app.repositories.warehouses import Warehouse
from app.services.unit_of_work import UnitOfWork

TERM_COLUMNS = (
    "capacity_kg",
    "capacity_m3",
    "shift_start",
    "shift_end",
    "max_route_minutes",
    "fixed_cost",
    "cost_per_km",
    "cost_per_hour",
    "currency",
    "goods_classes",
)


@dataclass(frozen=True)
class VehicleView:
    vehicle: Vehicle
    depot: str  # the depot warehouse's code


def terms_of(values: Mapping[str, Any]) -> VehicleTerms:
    """Vehicle columns (a command's, or a row's with changes merged in) as the domain's value."""
    terms = {name: values[name] for name in TERM_COLUMNS}
    terms["goods_classes"] = tuple(values["goods_classes"])
    return VehicleTerms(**terms)


def term_columns(vehicle: Vehicle) -> dict[str, Any]:
    return {name: getattr(vehicle, name) for name in TERM_COLUMNS}


async def depot_named(uow: UnitOfWork, code: str) -> Warehouse:
    """The active warehouse a vehicle is based at; 422 on ``depot`` otherwise."""
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on("depot", "exists", f"No warehouse with code '{code}'.")
    if not warehouse.active:
        raise RuleViolation.on(
            "depot", "active", f"Warehouse {code} is inactive; a vehicle cannot be based there."
        )
    return warehouse
