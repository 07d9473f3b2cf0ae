"""The routing problem and its solution, in whole units a solver works in.

Units: distances in metres, durations and clock times in seconds (times counted from local
midnight of the plan's date at the depot), weights in grams, volumes in cm³, costs in
``COST_SCALE`` parts of the vehicle's currency unit. A location is an index into the travel
matrix; the depot is a location like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Protocol

# Costs reach the solver as integers: 1 currency unit = 10,000 cost units.
COST_SCALE = 10_000
DAY = 24 * 3600


@dataclass(frozen=True)
class Window:
    """A time window ``[start, end]`` in seconds from local midnight."""

    start: int
    end: int


@dataclass(frozen=True)
class Matrix:
    """Travel distance (m) and free-flow duration (s) between every pair of locations."""

    distance: Sequence[Sequence[int]]
    duration: Sequence[Sequence[int]]

    @property
    def size(self) -> int:
        return len(self.distance)


@dataclass(frozen=True, kw_only=True)
class StopSpec:
    """One delivery stop. ``windows`` empty means any time the vehicle works; several
    windows mean any one of them. ``vehicles`` None means any vehicle may serve it, else only
    those named (goods classes carried, goods already on a started vehicle). ``prize`` None
    means the stop must be served; a number means it may be left out at that loss (the API
    passes a prize far above any route's cost, so a stop is left out only when it cannot fit)."""

    key: str
    location: int
    weight: int = 0
    volume: int = 0
    service: int = 0
    windows: tuple[Window, ...] = ()
    vehicles: frozenset[str] | None = None
    prize: int | None = None


@dataclass(frozen=True, kw_only=True)
class VehicleSpec:
    """A vehicle (or, with ``count`` > 1, that many identical ones, as in the benchmarks).

    It leaves ``start_location`` no earlier than ``shift_start`` and must be back at
    ``end_location`` by ``shift_end``; a route lasts at most ``max_duration`` seconds.
    ``duration_factor`` (≥ 1) stretches the matrix's free-flow durations for this vehicle:
    the planner passes the slowest traffic of its shift so that a plan holds in rush hour."""

    key: str
    start_location: int
    end_location: int
    capacity_weight: int
    capacity_volume: int
    shift_start: int = 0
    shift_end: int = DAY
    max_duration: int | None = None
    fixed_cost: int = 0
    unit_distance_cost: int = 1
    unit_duration_cost: int = 0
    duration_factor: float = 1.0
    count: int = 1


@dataclass(frozen=True)
class Problem:
    matrix: Matrix
    stops: tuple[StopSpec, ...]
    vehicles: tuple[VehicleSpec, ...]


@dataclass(frozen=True)
class SolvedRoute:
    """One used vehicle (for ``count`` > 1: one of them) and its stops' keys in visit order."""

    vehicle: str
    stops: tuple[str, ...]


@dataclass(frozen=True)
class Solution:
    routes: tuple[SolvedRoute, ...]
    unassigned: tuple[str, ...] = ()
    feasible: bool = True
    cost: int = 0
    seconds: float = 0.0
    iterations: int = 0
    notes: tuple[str, ...] = field(default=())


class Solver(Protocol):
    """Assigns stops to vehicles and orders each route, minimising fixed + distance +
    duration cost (and lost prizes). It stops after ``iterations`` (when given) or
    ``time_limit`` seconds, whichever comes first; with the iteration budget reached first,
    the same seed gives the same answer for the same problem on any machine."""

    def solve(
        self, problem: Problem, *, time_limit: float, seed: int, iterations: int | None = None
    ) -> Solution: ...


def cost_units(amount: Decimal, per: int = 1) -> int:
    """A money rate in whole cost units per ``per`` units (e.g. per km → per metre: 1000)."""
    scaled = amount * COST_SCALE / per
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def route_distance(matrix: Matrix, start: int, end: int, locations: Sequence[int]) -> int:
    """Metres driven from ``start`` through ``locations`` to ``end``."""
    path = [start, *locations, end]
    return sum(matrix.distance[a][b] for a, b in pairwise(path))
