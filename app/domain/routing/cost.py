"""What a set of routes costs, in the cost units the solvers minimise."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.domain.routing.model import Problem, StopSpec, VehicleSpec, route_distance
from app.domain.routing.timing import Clock


def route_cost(problem: Problem, vehicle: VehicleSpec, stops: Sequence[StopSpec]) -> int:
    """Fixed cost, plus distance and (shortest) duration at the vehicle's unit costs."""
    locations = [s.location for s in stops]
    distance = route_distance(
        problem.matrix, vehicle.start_location, vehicle.end_location, locations
    )
    cost = vehicle.fixed_cost + vehicle.unit_distance_cost * distance
    if vehicle.unit_duration_cost:
        duration = Clock(problem.matrix, vehicle).shortest_duration(stops) or 0
        cost += vehicle.unit_duration_cost * duration
    return cost


def lost_prizes(problem: Problem, unassigned: Iterable[str]) -> int:
    """The prizes of the optional stops left out."""
    prizes = {s.key: s.prize or 0 for s in problem.stops}
    return sum(prizes.get(key, 0) for key in unassigned)
