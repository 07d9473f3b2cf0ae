"""From a day's shipments and a depot's vehicles to the solver's problem: every location on
one list (depot first, then where started vehicles are, then the stops), each stop's allowed
vehicles, and the stops no vehicle could take, each with its reason."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.routing.model import (
    DAY,
    Matrix,
    Problem,
    StopSpec,
    VehicleSpec,
    Window,
    cost_units,
)
from app.domain.routing.plans import Unplannable

Point = tuple[float, float]
# A stop is left out only when it cannot fit: losing it costs more than any route.
PRIZE = 10**11


@dataclass(frozen=True, kw_only=True)
class Place:
    """A shipment to deliver. ``windows`` None: any time; empty: closed on the plan's day.
    ``pinned``: the started vehicle its goods are on."""

    key: str
    point: Point | None
    weight_g: int
    volume_cm3: int
    service_s: int
    windows: tuple[Window, ...] | None = None
    goods_classes: frozenset[str] = frozenset({"general"})
    pinned: str | None = None


@dataclass(frozen=True, kw_only=True)
class Truck:
    """A vehicle available that day. ``at`` and ``earliest`` say where and when a started
    vehicle is now (None: at the depot, from its shift start); a ``sealed`` vehicle left
    already and takes only the goods on board."""

    key: str
    capacity_g: int
    capacity_cm3: int
    shift_start: int
    shift_end: int
    max_duration: int | None
    fixed_cost: Decimal
    cost_per_km: Decimal
    cost_per_hour: Decimal
    goods_classes: frozenset[str]
    at: Point | None = None
    earliest: int | None = None
    sealed: bool = False
    fixed_paid: bool = False


@dataclass(frozen=True)
class Layout:
    """Every location once: the depot at 0, then started vehicles' positions, then stops."""

    points: tuple[Point, ...]
    truck_start: dict[str, int]
    place_location: dict[str, int]


def lay_out(depot: Point, trucks: Sequence[Truck], places: Sequence[Place]) -> Layout:
    points: list[Point] = [depot]
    starts: dict[str, int] = {}
    for t in trucks:
        if t.at is None:
            starts[t.key] = 0
        else:
            starts[t.key] = len(points)
            points.append(t.at)
    located: dict[str, int] = {}
    for p in places:
        if p.point is not None:
            located[p.key] = len(points)
            points.append(p.point)
    return Layout(tuple(points), starts, located)


def duration_factor(slowest_speed: float) -> float:
    """A vehicle is planned at the slowest traffic of its shift, so the plan holds at rush
    hour (its timeline is then computed hour by hour and is never later)."""
    return max(1.0, 1.0 / slowest_speed) if slowest_speed > 0 else 1.0


def _fits(p: Place, t: Truck) -> Unplannable | None:
    if p.pinned is not None:
        return None if p.pinned == t.key else Unplannable.FLEET_FULL
    if t.sealed:
        return Unplannable.FLEET_FULL
    if not p.goods_classes <= t.goods_classes:
        return Unplannable.GOODS_CLASS_NOT_CARRIED
    if p.weight_g > t.capacity_g:
        return Unplannable.TOO_HEAVY
    if p.volume_cm3 > t.capacity_cm3:
        return Unplannable.TOO_BULKY
    return None


def _reachable(p: Place, t: Truck, start: int, loc: int, matrix: Matrix, factor: float) -> bool:
    """Whether ``t`` can go straight to ``p`` inside one of its windows and be back in time."""
    leave = max(t.shift_start, t.earliest or 0)
    there = leave + math.ceil(matrix.duration[start][loc] * factor)
    back = math.ceil(matrix.duration[loc][0] * factor) + p.service_s
    windows = p.windows or (Window(t.shift_start, t.shift_end),)
    return any(there <= w.end and max(there, w.start) + back <= t.shift_end for w in windows)


def _allowed(
    p: Place,
    trucks: Sequence[Truck],
    layout: Layout,
    matrix: Matrix,
    factors: dict[str, float],
) -> tuple[frozenset[str], Unplannable | None]:
    if p.key not in layout.place_location:
        return frozenset(), Unplannable.NO_COORDINATES
    if p.windows == ():
        return frozenset(), Unplannable.CLOSED_THAT_DAY
    loc = layout.place_location[p.key]
    reasons: list[Unplannable] = []
    allowed = set()
    for t in trucks:
        reason = _fits(p, t)
        # Goods already on a vehicle go with it even if their window can no longer be met.
        if (
            reason is None
            and p.pinned is None
            and not _reachable(p, t, layout.truck_start[t.key], loc, matrix, factors[t.key])
        ):
            reason = Unplannable.WINDOW_UNREACHABLE
        if reason is None:
            allowed.add(t.key)
        else:
            reasons.append(reason)
    if allowed:
        return frozenset(allowed), None
    order = list(Unplannable)
    return frozenset(), min(reasons, key=order.index) if reasons else Unplannable.FLEET_FULL


def build_problem(
    matrix: Matrix,
    layout: Layout,
    trucks: Sequence[Truck],
    places: Sequence[Place],
    factors: dict[str, float],
) -> tuple[Problem, dict[str, Unplannable]]:
    """The problem for the solver, and the stops no vehicle can take with the reason."""
    unplanned: dict[str, Unplannable] = {}
    stops = []
    for p in places:
        allowed, reason = _allowed(p, trucks, layout, matrix, factors)
        if reason is not None:
            unplanned[p.key] = reason
            continue
        stops.append(
            StopSpec(
                key=p.key,
                location=layout.place_location[p.key],
                weight=p.weight_g,
                volume=p.volume_cm3,
                service=p.service_s,
                windows=p.windows or (),
                vehicles=allowed,
                prize=PRIZE,
            )
        )
    vehicles = tuple(_vehicle(t, layout, factors[t.key]) for t in trucks)
    return Problem(matrix=matrix, stops=tuple(stops), vehicles=vehicles), unplanned


def _vehicle(t: Truck, layout: Layout, factor: float) -> VehicleSpec:
    start = max(t.shift_start, t.earliest or 0)
    return VehicleSpec(
        key=t.key,
        start_location=layout.truck_start[t.key],
        end_location=0,
        capacity_weight=t.capacity_g,
        capacity_volume=t.capacity_cm3,
        shift_start=start,
        shift_end=min(t.shift_end, 2 * DAY),
        max_duration=t.max_duration,
        fixed_cost=0 if t.fixed_paid else cost_units(t.fixed_cost),
        # at least one unit a metre: with no rates the shortest routes win
        unit_distance_cost=max(1, cost_units(t.cost_per_km, per=1000)),
        unit_duration_cost=cost_units(t.cost_per_hour, per=3600),
        duration_factor=factor,
    )
