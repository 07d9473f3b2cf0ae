"""Route planning with PyVRP, the maintained state-of-the-art VRPTW solver (in 0.14 an
iterated local search with late-acceptance hill climbing, which replaced the hybrid genetic
search of earlier releases).

How the problem is translated: every stop gets a PyVRP location of its own (rows and columns
copied from the matrix) and every matrix location a vehicle starts or ends at becomes a depot.
A stop with several windows becomes one optional client per window in a mutually exclusive
client group, required when the stop is. Loads have two dimensions, [weight, volume]. Each
vehicle gets a routing profile shared by the vehicles with the same ``duration_factor`` and
the same forbidden stops: its durations are stretched by the factor (rounded up, as in
``app.domain.routing.timing``) and edges into stops it may not serve are made longer than its
shift, so that no feasible solution uses them. The answer is checked again by
``check_solution``; a stop found on a vehicle it does not allow is taken off the route.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any, cast

import numpy as np
import pyvrp
from numpy.typing import NDArray
from pyvrp import Model, ProblemData, SolveParams
from pyvrp.constants import MAX_VALUE
from pyvrp.stop import MaxIterations, MultipleCriteria, StoppingCriterion

from app.domain.routing.check import check_solution
from app.domain.routing.cost import lost_prizes
from app.domain.routing.model import Problem, Solution, SolvedRoute, StopSpec, VehicleSpec
from app.domain.routing.timing import duration_ratio

Matrix = NDArray[np.int64]
ProfileKey = tuple[Fraction, frozenset[int]]


@dataclass(frozen=True)
class _Translation:
    data: ProblemData
    client_stop: tuple[int, ...]


class _Deadline:
    """Stops at a moment on the clock. PyVRP's ``MaxRuntime`` starts counting at its first
    check, after the initial solution has been built and improved, which a budget for the
    whole call must include."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline

    def __call__(self, best_cost: int) -> bool:
        return time.perf_counter() >= self.deadline


class PyVrpSolver:
    """A :class:`~app.domain.routing.model.Solver` backed by ``pyvrp.solve``; ``params``
    tunes the search (its defaults unless given)."""

    def __init__(self, params: SolveParams | None = None) -> None:
        self.params = params or SolveParams()

    def solve(
        self, problem: Problem, *, time_limit: float, seed: int, iterations: int | None = None
    ) -> Solution:
        began = time.perf_counter()
        if not problem.stops or not problem.vehicles:
            return _empty(problem, began)
        translation = _translate(problem)
        criteria: list[StoppingCriterion] = [_Deadline(began + time_limit)]
        if iterations is not None:
            criteria.append(MaxIterations(iterations))
        result = pyvrp.solve(
            translation.data,
            MultipleCriteria(criteria),
            seed=seed,
            collect_stats=False,
            display=False,
            params=_penalised_above_prizes(self.params, problem),
        )
        return _solution(problem, translation, result, began)


def _penalised_above_prizes(params: SolveParams, problem: Problem) -> SolveParams:
    """The parameters with penalties allowed to climb above the largest prize.

    PyVRP searches through infeasible solutions at a penalty per unit of excess load or
    time warp that it adapts between ``min_penalty`` and ``max_penalty`` (100,000 by
    default). A prize above that makes keeping an optional stop that does not fit cheaper
    than any penalty, so the search never reaches the feasible solution without it."""
    prize = max((s.prize or 0 for s in problem.stops), default=0)
    if 2 * prize <= params.penalty.max_penalty:
        return params
    return SolveParams(
        ils=params.ils,
        penalty=replace(params.penalty, max_penalty=2.0 * prize),
        neighbourhood=params.neighbourhood,
        operators=params.operators,
        display_interval=params.display_interval,
        perturbation=params.perturbation,
    )


def _empty(problem: Problem, began: float) -> Solution:
    return Solution(
        routes=(),
        unassigned=tuple(s.key for s in problem.stops),
        feasible=all(s.prize is not None for s in problem.stops),
        cost=lost_prizes(problem, (s.key for s in problem.stops)),
        seconds=time.perf_counter() - began,
    )


def _allows(stop: StopSpec, vehicle: VehicleSpec) -> bool:
    return stop.vehicles is None or vehicle.key in stop.vehicles


def _translate(problem: Problem) -> _Translation:
    depot_at = list(
        dict.fromkeys(loc for v in problem.vehicles for loc in (v.start_location, v.end_location))
    )
    nodes = depot_at + [s.location for s in problem.stops]
    model = Model()
    locations = [model.add_location(0, 0) for _ in nodes]
    depots = {at: model.add_depot(locations[i]) for i, at in enumerate(depot_at)}
    client_stop: list[int] = []
    for index, stop in enumerate(problem.stops):
        windows = _add_stop(model, locations[len(depot_at) + index], stop)
        client_stop += [index] * windows
    keys: list[ProfileKey] = []
    for vehicle in problem.vehicles:
        key = _profile_key(problem, vehicle, len(depot_at))
        if key not in keys:
            keys.append(key)
            model.add_profile()
        _add_vehicle(model, vehicle, depots, model.profiles[keys.index(key)])
    distances, durations = _matrices(problem, nodes, keys)
    # PyVRP's stub spells a matrix ``np.ndarray[int]``, which no real array type matches.
    data = model.data().replace(
        distance_matrices=cast(Any, distances), duration_matrices=cast(Any, durations)
    )
    return _Translation(data, tuple(client_stop))


def _add_stop(model: Model, location: pyvrp.Location, stop: StopSpec) -> int:
    """Adds the stop's client(s) and returns how many (one per window when several)."""
    common: dict[str, Any] = {
        "delivery": [stop.weight, stop.volume],
        "service_duration": stop.service,
        "prize": stop.prize or 0,
        "name": stop.key,
    }
    if len(stop.windows) <= 1:
        for w in stop.windows:
            common |= {"tw_early": w.start, "tw_late": w.end}
        model.add_client(location, required=stop.prize is None, **common)
        return 1
    group = model.add_client_group(required=stop.prize is None, name=stop.key)
    for w in stop.windows:
        model.add_client(
            location, tw_early=w.start, tw_late=w.end, required=False, group=group, **common
        )
    return len(stop.windows)


def _profile_key(problem: Problem, vehicle: VehicleSpec, first_stop_node: int) -> ProfileKey:
    forbidden = frozenset(
        first_stop_node + i for i, s in enumerate(problem.stops) if not _allows(s, vehicle)
    )
    return duration_ratio(vehicle.duration_factor), forbidden


def _add_vehicle(
    model: Model, vehicle: VehicleSpec, depots: dict[int, pyvrp.Depot], profile: pyvrp.Profile
) -> None:
    limits: dict[str, Any] = {}
    if vehicle.max_duration is not None:
        limits["shift_duration"] = vehicle.max_duration
    model.add_vehicle_type(
        num_available=vehicle.count,
        capacity=[vehicle.capacity_weight, vehicle.capacity_volume],
        start_depot=depots[vehicle.start_location],
        end_depot=depots[vehicle.end_location],
        fixed_cost=vehicle.fixed_cost,
        tw_early=vehicle.shift_start,
        tw_late=vehicle.shift_end,
        unit_distance_cost=vehicle.unit_distance_cost,
        unit_duration_cost=vehicle.unit_duration_cost,
        profile=profile,
        name=vehicle.key,
        **limits,
    )


def _matrices(
    problem: Problem, nodes: Sequence[int], keys: Sequence[ProfileKey]
) -> tuple[list[Matrix], list[Matrix]]:
    """Each profile's distance and duration matrices over the PyVRP locations."""
    pick = np.ix_(nodes, nodes)
    distance = np.asarray(problem.matrix.distance, dtype=np.int64)[pick]
    duration = np.asarray(problem.matrix.duration, dtype=np.int64)[pick]
    span = max(v.shift_end for v in problem.vehicles) - min(v.shift_start for v in problem.vehicles)
    barred_duration = min(MAX_VALUE, span + 1)
    barred_distance = min(MAX_VALUE, (int(distance.max(initial=0)) + 1) * (len(nodes) + 1))
    distances, durations = [], []
    for ratio, forbidden in keys:
        stretched = -((-duration * ratio.numerator) // ratio.denominator)
        barred = distance.copy()
        barred_cols = sorted(forbidden)
        barred[:, barred_cols] = barred_distance
        stretched[:, barred_cols] = barred_duration
        barred[barred_cols, barred_cols] = 0
        stretched[barred_cols, barred_cols] = 0
        distances.append(barred)
        durations.append(stretched)
    return distances, durations


def _solution(
    problem: Problem, translation: _Translation, result: pyvrp.Result, began: float
) -> Solution:
    routes: list[SolvedRoute] = []
    visited: set[int] = set()
    notes: list[str] = []
    for route in result.best.routes():
        vehicle = problem.vehicles[route.vehicle_type()]
        stops = [translation.client_stop[a.idx] for a in route if a.is_client()]
        for i in stops:
            if not _allows(problem.stops[i], vehicle):
                notes.append(f"solver put stop {problem.stops[i].key} on vehicle {vehicle.key}")
        kept = [i for i in stops if _allows(problem.stops[i], vehicle)]
        visited.update(kept)
        if kept:
            routes.append(SolvedRoute(vehicle.key, tuple(problem.stops[i].key for i in kept)))
    unassigned = tuple(s.key for i, s in enumerate(problem.stops) if i not in visited)
    best = result.best
    draft = Solution(
        routes=tuple(routes),
        unassigned=unassigned,
        cost=best.distance_cost()
        + best.duration_cost()
        + best.fixed_vehicle_cost()
        + lost_prizes(problem, unassigned),
        iterations=result.num_iterations,
    )
    notes += check_solution(problem, draft)
    return replace(
        draft,
        feasible=best.is_feasible() and not notes,
        seconds=time.perf_counter() - began,
        notes=tuple(notes),
    )
