"""Whether a solution keeps every rule of its problem, checked by driving each route again."""

from __future__ import annotations

from collections import Counter

from app.domain.routing.model import Problem, Solution, SolvedRoute, StopSpec, VehicleSpec
from app.domain.routing.timing import Clock


def check_solution(problem: Problem, solution: Solution) -> list[str]:
    """Every broken rule, in words (empty: the solution is feasible).

    Each route is driven with the problem's integer matrix from its vehicle's
    ``shift_start`` (waiting where it arrives early): every stop is served inside one of its
    windows, the vehicle is back by ``shift_end`` and within ``max_duration``, carries at most
    its capacity in weight and in volume, and only stops that allow it. No vehicle key is used
    more often than its ``count``; every stop appears at most once, every required stop is
    routed, and an optional stop not routed is listed as unassigned."""
    vehicles = {v.key: v for v in problem.vehicles}
    stops = {s.key: s for s in problem.stops}
    problems = _fleet_violations(solution.routes, vehicles)
    problems += _coverage_violations(solution, stops)
    for number, route in enumerate(solution.routes, start=1):
        vehicle = vehicles.get(route.vehicle)
        known = [stops[key] for key in route.stops if key in stops]
        if vehicle is not None:
            label = f"route {number} ({route.vehicle})"
            problems += _route_violations(problem, vehicle, known, label)
    return problems


def _fleet_violations(
    routes: tuple[SolvedRoute, ...], vehicles: dict[str, VehicleSpec]
) -> list[str]:
    problems = []
    for key, used in sorted(Counter(r.vehicle for r in routes).items()):
        if key not in vehicles:
            problems.append(f"route on unknown vehicle {key}")
        elif used > vehicles[key].count:
            problems.append(f"vehicle {key} drives {used} routes but only {vehicles[key].count}")
    return problems


def _coverage_violations(solution: Solution, stops: dict[str, StopSpec]) -> list[str]:
    routed = Counter(key for route in solution.routes for key in route.stops)
    unassigned = set(solution.unassigned)
    problems = [f"unknown stop {key}" for key in sorted((set(routed) | unassigned) - set(stops))]
    problems += [f"stop {key} routed {n} times" for key, n in sorted(routed.items()) if n > 1]
    both = sorted(unassigned & set(routed))
    problems += [f"stop {key} both routed and unassigned" for key in both]
    for key, stop in stops.items():
        if key in routed:
            continue
        if stop.prize is None:
            problems.append(f"required stop {key} is not routed")
        elif key not in unassigned:
            problems.append(f"optional stop {key} neither routed nor listed unassigned")
    return problems


def _route_violations(
    problem: Problem, vehicle: VehicleSpec, stops: list[StopSpec], label: str
) -> list[str]:
    problems = [
        f"{label}: stop {s.key} does not allow vehicle {vehicle.key}"
        for s in stops
        if s.vehicles is not None and vehicle.key not in s.vehicles
    ]
    weight, volume = sum(s.weight for s in stops), sum(s.volume for s in stops)
    if weight > vehicle.capacity_weight:
        problems.append(f"{label}: carries {weight} g, capacity {vehicle.capacity_weight} g")
    if volume > vehicle.capacity_volume:
        problems.append(f"{label}: carries {volume} cm³, capacity {vehicle.capacity_volume} cm³")
    return problems + _time_violations(Clock(problem.matrix, vehicle), stops, label)


def _time_violations(clock: Clock, stops: list[StopSpec], label: str) -> list[str]:
    vehicle = clock.vehicle
    timeline = clock.drive(stops, vehicle.shift_start)
    if timeline.back is None:
        late = stops[timeline.starts.index(None)]
        return [f"{label}: reaches stop {late.key} after its last window closes"]
    if timeline.back > vehicle.shift_end:
        return [f"{label}: back at {timeline.back}, after shift end {vehicle.shift_end}"]
    if vehicle.max_duration is None:
        return []
    duration = clock.shortest_duration(stops)
    if duration is None or duration > vehicle.max_duration:
        return [f"{label}: lasts {duration} s, more than {vehicle.max_duration} s"]
    return []
