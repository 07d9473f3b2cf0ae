"""What planning needs to know about shipments and vehicles, read from the repositories."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Decimal

from app.domain.routing.problem import Place, Truck
from app.domain.routing.traffic import RoutingSettings
from app.domain.routing.windows import windows_on
from app.repositories.shipments import Shipment
from app.repositories.vehicles import Vehicle
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Load:
    """A shipment's packages as the stop row shows them."""

    packages: int
    weight_kg: Decimal
    volume_m3: Decimal


def seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _point(shipment: Shipment) -> tuple[float, float] | None:
    lat, lon = shipment.ship_to.get("latitude"), shipment.ship_to.get("longitude")
    if lat is None or lon is None:
        return None
    return float(lat), float(lon)


async def places_of(
    uow: UnitOfWork, shipments: Sequence[Shipment], day: date, routing: RoutingSettings
) -> tuple[list[Place], dict[uuid.UUID, Load]]:
    """Each shipment as a stop: where, how heavy and bulky, how long to serve, when the
    ship-to takes deliveries that day, and which goods classes it carries."""
    ids = [s.id for s in shipments]
    packages = await uow.shipments.packages_of(ids)
    lines = await uow.shipments.lines_of(ids)
    products = await uow.products.get_many_by_sku(sorted({x.sku for x in lines}))
    classes: dict[uuid.UUID, set[str]] = {}
    for x in lines:
        p = products.get(x.sku)
        classes.setdefault(x.shipment_id, set()).add(p.goods_class if p else "general")
    loads: dict[uuid.UUID, Load] = {}
    for s in shipments:
        mine = [p for p in packages if p.shipment_id == s.id]
        loads[s.id] = Load(
            packages=len(mine),
            weight_kg=sum((p.weight_kg for p in mine), Decimal(0)),
            volume_m3=sum(
                (p.length_cm * p.width_cm * p.height_cm / 1_000_000 for p in mine), Decimal(0)
            ).quantize(Decimal("0.0001")),
        )
    places = [
        Place(
            key=str(s.id),
            point=_point(s),
            weight_g=math.ceil(loads[s.id].weight_kg * 1000),
            volume_cm3=math.ceil(loads[s.id].volume_m3 * 1_000_000),
            service_s=routing.service_seconds(loads[s.id].packages),
            windows=windows_on(day, s.ship_to.get("delivery_windows") or []),
            goods_classes=frozenset(classes.get(s.id) or {"general"}),
        )
        for s in shipments
    ]
    return places, loads


def pinned(place: Place, truck_key: str) -> Place:
    return replace(place, pinned=truck_key)


def truck_of(v: Vehicle) -> Truck:
    """A vehicle as the planner sees it (whole grams, cm³ and seconds)."""
    start, end = seconds(v.shift_start), seconds(v.shift_end)
    minutes = v.max_route_minutes
    return Truck(
        key=str(v.id),
        capacity_g=int(v.capacity_kg * 1000),
        capacity_cm3=int(v.capacity_m3 * 1_000_000),
        shift_start=start,
        shift_end=end,
        max_duration=minutes * 60 if minutes else None,
        fixed_cost=v.fixed_cost,
        cost_per_km=v.cost_per_km,
        cost_per_hour=v.cost_per_hour,
        goods_classes=frozenset(v.goods_classes),
    )
