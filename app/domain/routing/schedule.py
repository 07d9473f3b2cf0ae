"""A route's timeline: when the vehicle leaves, reaches, waits at and leaves each stop, and
comes back, driving each leg at the speed the traffic of that hour allows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from app.domain.routing.model import Matrix, Window

CENT = Decimal("0.01")


class Travel(Protocol):
    """Time-dependent travel: seconds to drive a leg of ``free_flow_s`` leaving at ``at``."""

    def travel_time(self, free_flow_s: int, depart_at: int) -> int: ...


@dataclass(frozen=True, kw_only=True)
class Visit:
    key: str
    location: int
    service: int
    windows: tuple[Window, ...] = ()


@dataclass(frozen=True, kw_only=True)
class StopTime:
    key: str
    arrival: int
    wait: int
    departure: int
    window: Window | None
    distance: int  # metres from the previous location
    late: bool = False


@dataclass(frozen=True, kw_only=True)
class Timeline:
    departure: int
    stops: tuple[StopTime, ...]
    return_at: int
    distance: int

    @property
    def duration(self) -> int:
        return self.return_at - self.departure


def window_for(arrival: int, windows: Sequence[Window]) -> Window | None:
    """The first window still open at ``arrival`` (wait for it if it has not begun); the
    last one when all have closed (the stop is then late)."""
    for w in sorted(windows, key=lambda w: w.start):
        if arrival <= w.end:
            return w
    return max(windows, key=lambda w: w.end) if windows else None


def simulate(
    matrix: Matrix, start: int, end: int, depart: int, visits: Sequence[Visit], travel: Travel
) -> Timeline:
    """Drive the visits in order leaving ``start`` at ``depart``: wait at a stop reached
    before its window opens, serve it, go on; return to ``end``."""
    clock, here, distance, times = depart, start, 0, []
    for v in visits:
        arrival = clock + travel.travel_time(matrix.duration[here][v.location], clock)
        window = window_for(arrival, v.windows)
        begin = max(arrival, window.start) if window else arrival
        leg = matrix.distance[here][v.location]
        late = window is not None and arrival > window.end
        times.append(
            StopTime(
                key=v.key,
                arrival=arrival,
                wait=begin - arrival,
                departure=begin + v.service,
                window=window,
                distance=leg,
                late=late,
            )
        )
        clock, here, distance = begin + v.service, v.location, distance + leg
    back = clock + travel.travel_time(matrix.duration[here][end], clock)
    distance += matrix.distance[here][end]
    return Timeline(departure=depart, stops=tuple(times), return_at=back, distance=distance)


def timeline(
    matrix: Matrix,
    start: int,
    end: int,
    earliest: int,
    visits: Sequence[Visit],
    travel: Travel,
) -> Timeline:
    """The route's timeline leaving as late as it can without waiting at its first stop
    (drivers do not queue at a closed gate), never before ``earliest``, and never so late
    that a stop it reached in time becomes late."""
    first = simulate(matrix, start, end, earliest, visits, travel)
    if not first.stops or first.stops[0].wait == 0:
        return first
    later = simulate(matrix, start, end, earliest + first.stops[0].wait, visits, travel)
    if any(b.late and not a.late for a, b in zip(first.stops, later.stops, strict=True)):
        return first
    return later


def route_cost(
    fixed: Decimal, per_km: Decimal, per_hour: Decimal, distance_m: int, duration_s: int
) -> Decimal:
    """Fixed cost of using the vehicle + distance × rate + time × rate, to the cent."""
    cost = fixed + per_km * Decimal(distance_m) / 1000 + per_hour * Decimal(duration_s) / 3600
    return cost.quantize(CENT)
