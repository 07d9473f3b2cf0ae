"""The time-oriented nearest-neighbour construction: the floor any real solver must beat."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.domain.routing.cost import lost_prizes, route_cost
from app.domain.routing.model import Problem, Solution, SolvedRoute, StopSpec, VehicleSpec
from app.domain.routing.timing import Clock, service_start


@dataclass
class _Route:
    clock: Clock
    stops: list[StopSpec] = field(default_factory=list)
    weight: int = 0
    volume: int = 0

    def __post_init__(self) -> None:
        self.here = self.clock.vehicle.start_location
        self.now = self.clock.vehicle.shift_start

    def start_at(self, stop: StopSpec) -> int | None:
        """When service at ``stop`` would start if it came next, or None if it cannot."""
        vehicle = self.clock.vehicle
        if stop.vehicles is not None and vehicle.key not in stop.vehicles:
            return None
        if self.weight + stop.weight > vehicle.capacity_weight:
            return None
        if self.volume + stop.volume > vehicle.capacity_volume:
            return None
        start = service_start(self.now + self.clock.travel(self.here, stop.location), stop.windows)
        if start is None:
            return None
        back = start + stop.service + self.clock.travel(stop.location, vehicle.end_location)
        if back > vehicle.shift_end or not self._short_enough(stop, back):
            return None
        return start

    def _short_enough(self, stop: StopSpec, back: int) -> bool:
        limit = self.clock.vehicle.max_duration
        if limit is None or back - self.clock.vehicle.shift_start <= limit:
            return True
        shortest = self.clock.shortest_duration([*self.stops, stop])
        return shortest is not None and shortest <= limit

    def append(self, stop: StopSpec, start: int) -> None:
        self.stops.append(stop)
        self.weight += stop.weight
        self.volume += stop.volume
        self.here, self.now = stop.location, start + stop.service


class NearestNeighbourSolver:
    """Solomon's (1987) time-oriented nearest neighbour, by distance.

    Routes are opened one vehicle at a time, in the problem's order of vehicles (``count``
    copies each). A route repeatedly appends, among the stops not yet routed that it can still
    serve (vehicle allowed, capacity in weight and volume, a window reachable, back by the
    shift's end, within ``max_duration``), the one nearest to its last location, ties going
    to the earliest service start and then to the problem's order; it closes when none fits.
    Stops no vehicle took are unassigned, and the solution infeasible if one is required.
    Deterministic: ``time_limit``, ``seed`` and ``iterations`` are not used."""

    def solve(
        self, problem: Problem, *, time_limit: float, seed: int, iterations: int | None = None
    ) -> Solution:
        began = time.perf_counter()
        left = list(problem.stops)
        built: list[tuple[VehicleSpec, list[StopSpec]]] = []
        for vehicle in problem.vehicles:
            for _ in range(vehicle.count):
                stops = _fill(problem, vehicle, left)
                if not stops:
                    break
                built.append((vehicle, stops))
        unassigned = tuple(s.key for s in left)
        cost = sum(route_cost(problem, v, stops) for v, stops in built)
        return Solution(
            routes=tuple(SolvedRoute(v.key, tuple(s.key for s in stops)) for v, stops in built),
            unassigned=unassigned,
            feasible=all(s.prize is not None for s in left),
            cost=cost + lost_prizes(problem, unassigned),
            seconds=time.perf_counter() - began,
        )


def _fill(problem: Problem, vehicle: VehicleSpec, left: list[StopSpec]) -> list[StopSpec]:
    """One route for ``vehicle`` built nearest first; its stops are taken out of ``left``."""
    route = _Route(Clock(problem.matrix, vehicle))
    distance = problem.matrix.distance
    while True:
        best: tuple[int, int, int, StopSpec] | None = None
        for position, stop in enumerate(left):
            start = route.start_at(stop)
            if start is None:
                continue
            rank = (distance[route.here][stop.location], start, position, stop)
            if best is None or rank[:3] < best[:3]:
                best = rank
        if best is None:
            return route.stops
        del left[best[2]]
        route.append(best[3], best[1])
