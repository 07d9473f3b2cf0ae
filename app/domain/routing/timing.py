"""When a vehicle reaches each stop of a route, in the problem's whole seconds.

Shared by the nearest-neighbour solver and the feasibility check so that both read the rules
the same way as the PyVRP adapter: service starts inside a window (a vehicle arriving early
waits), a stop with several windows is served in the earliest one it can still reach, the
vehicle leaves its start no earlier than ``shift_start`` and is back at its end by
``shift_end``, and a route's duration is counted from the latest departure that keeps the
same return time (so waiting at the first stop does not count against ``max_duration``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from app.domain.routing.model import Matrix, StopSpec, VehicleSpec, Window

# A factor is read as the decimal it prints as, to a millionth: 1.1 stretches 10 s to 11 s.
FACTOR_DENOMINATOR = 1_000_000


def duration_ratio(factor: float) -> Fraction:
    """The exact ratio a ``duration_factor`` stands for (its shortest decimal form)."""
    if factor < 1:
        raise ValueError(f"duration_factor must be at least 1, not {factor}")
    return Fraction(repr(factor)).limit_denominator(FACTOR_DENOMINATOR)


def stretch(duration: int, ratio: Fraction) -> int:
    """A free-flow duration times the vehicle's ratio, rounded up to a whole second."""
    return -(-duration * ratio.numerator // ratio.denominator)


def service_start(arrival: int, windows: Sequence[Window]) -> int | None:
    """When service can start for a vehicle arriving at ``arrival``: at once without windows,
    else at the opening of the earliest window not yet closed; None when all have closed."""
    if not windows:
        return arrival
    for window in sorted(windows, key=lambda w: w.start):
        if arrival <= window.end:
            return max(arrival, window.start)
    return None


@dataclass(frozen=True)
class Timeline:
    """A route driven from ``depart``: service start at each stop (None from the first stop
    it cannot reach in a window on), and the return time at the end location."""

    depart: int
    starts: tuple[int | None, ...]
    back: int | None

    @property
    def reachable(self) -> bool:
        return self.back is not None


class Clock:
    """Travel times of one vehicle over the matrix, its ``duration_factor`` applied."""

    def __init__(self, matrix: Matrix, vehicle: VehicleSpec) -> None:
        self.matrix = matrix
        self.vehicle = vehicle
        self.ratio = duration_ratio(vehicle.duration_factor)

    def travel(self, origin: int, destination: int) -> int:
        return stretch(self.matrix.duration[origin][destination], self.ratio)

    def drive(self, stops: Sequence[StopSpec], depart: int) -> Timeline:
        """The timeline of ``stops`` in order, leaving the start location at ``depart``."""
        starts: list[int | None] = []
        here, now = self.vehicle.start_location, depart
        for stop in stops:
            start = service_start(now + self.travel(here, stop.location), stop.windows)
            starts.append(start)
            if start is None:
                starts.extend([None] * (len(stops) - len(starts)))
                return Timeline(depart, tuple(starts), None)
            here, now = stop.location, start + stop.service
        return Timeline(depart, tuple(starts), now + self.travel(here, self.vehicle.end_location))

    def shortest_duration(self, stops: Sequence[StopSpec]) -> int | None:
        """The least time from departure to return over every departure inside the shift
        that keeps the route within its windows and shift (None if there is none).

        The duration, as a function of the departure time, only falls while the delay is
        absorbed by waiting, so its minimum sits where some arrival, driving without any
        wait, meets a window's opening or closing or the shift's end; those departures and
        ``shift_start`` are tried."""
        vehicle = self.vehicle
        candidates = {vehicle.shift_start}
        offset, here = 0, vehicle.start_location
        for stop in stops:
            offset += self.travel(here, stop.location)
            candidates |= {w.start - offset for w in stop.windows}
            candidates |= {w.end - offset for w in stop.windows}
            offset += stop.service
            here = stop.location
        candidates.add(vehicle.shift_end - offset - self.travel(here, vehicle.end_location))
        best: int | None = None
        for depart in sorted(c for c in candidates if c >= vehicle.shift_start):
            timeline = self.drive(stops, depart)
            if timeline.back is None or timeline.back > vehicle.shift_end:
                continue
            duration = timeline.back - depart
            best = duration if best is None else min(best, duration)
        return best
