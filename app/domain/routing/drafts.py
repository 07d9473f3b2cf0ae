"""What a solution becomes before it is saved: per vehicle the ordered stops with their
times, distance, load and cost, and the loading order (last stop loaded first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.routing.model import Matrix, Solution
from app.domain.routing.plans import Unplannable
from app.domain.routing.problem import Layout, Place, Truck
from app.domain.routing.schedule import Timeline, Travel, Visit, route_cost, timeline


@dataclass(frozen=True)
class DraftRoute:
    truck: Truck
    places: tuple[Place, ...]
    timeline: Timeline
    cost: Decimal

    @property
    def weight_g(self) -> int:
        return sum(p.weight_g for p in self.places)

    @property
    def volume_cm3(self) -> int:
        return sum(p.volume_cm3 for p in self.places)

    @property
    def loading_order(self) -> tuple[str, ...]:
        """Keys in the order the warehouse loads them: the last stop goes in first."""
        return tuple(p.key for p in reversed(self.places))


@dataclass(frozen=True)
class Draft:
    routes: tuple[DraftRoute, ...]
    unplanned: dict[str, Unplannable]

    @property
    def cost(self) -> Decimal:
        return sum((r.cost for r in self.routes), Decimal(0))


def draft(
    matrix: Matrix,
    layout: Layout,
    trucks: Sequence[Truck],
    places: Sequence[Place],
    solution: Solution,
    unplanned: dict[str, Unplannable],
    travel: Travel,
) -> Draft:
    """Time each solved route hour by hour; the stops the solver left out are the fleet's
    capacity being used up."""
    by_truck = {t.key: t for t in trucks}
    by_key = {p.key: p for p in places}
    routes = []
    for solved in solution.routes:
        truck = by_truck[solved.vehicle]
        chosen = tuple(by_key[k] for k in solved.stops)
        visits = [
            Visit(
                key=p.key,
                location=layout.place_location[p.key],
                service=p.service_s,
                windows=p.windows or (),
            )
            for p in chosen
        ]
        start = layout.truck_start[truck.key]
        earliest = max(truck.shift_start, truck.earliest or 0)
        times = timeline(matrix, start, 0, earliest, visits, travel)
        fixed = Decimal(0) if truck.fixed_paid else truck.fixed_cost
        cost = route_cost(
            fixed, truck.cost_per_km, truck.cost_per_hour, times.distance, times.duration
        )
        routes.append(DraftRoute(truck, chosen, times, cost))
    left = dict(unplanned)
    for key in solution.unassigned:
        left.setdefault(key, Unplannable.FLEET_FULL)
    return Draft(tuple(routes), left)
