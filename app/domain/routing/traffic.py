"""A depot's traffic and the routing settings of its own fleet.

A warehouse keeps them in its ``routing`` document (checked by the API schema when saved;
every key optional, a null counts as absent)::

    {"average_speed_kmh": "35", "road_factor": "1.3",
     "service_minutes": 5, "service_minutes_per_package": 1,
     "traffic": [{"start": "07:00", "end": "09:30", "speed_factor": "0.6"},
                 {"start": "17:00", "end": "19:00", "speed_factor": "0.7"}]}

Traffic is a daily profile: in each period (local time, ``end`` excluded, ``"24:00"`` allowed
as an end, a period whose end is before its start runs over midnight) vehicles move at
``speed_factor`` times free-flow speed (0.6: 60 %); outside every period at free-flow speed
(factor 1). Free-flow durations are what the travel matrix holds."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, NamedTuple

from app.domain.routing.model import DAY

DEFAULT_SPEED_KMH = 35.0
DEFAULT_ROAD_FACTOR = 1.3
DEFAULT_SERVICE_S = 5 * 60
DEFAULT_SERVICE_PER_PACKAGE_S = 60

_CLOCK = re.compile(r"^(?:([01][0-9]|2[0-3]):([0-5][0-9])|(24):(00))$")


class TrafficPeriod(NamedTuple):
    """From ``start_s`` (included) to ``end_s`` (excluded), in seconds from local midnight
    (0 ≤ start_s < end_s ≤ 86400), traffic moves at ``speed_factor`` × free-flow speed."""

    start_s: int
    end_s: int
    speed_factor: float


class _Piece(NamedTuple):
    start: int
    end: int
    factor: float
    exact: Fraction  # the factor as the decimal it was written as, so 60 / 0.6 is 100


@dataclass(frozen=True)
class TrafficProfile:
    """Speed factors over the day, repeating every day. Periods may be given in any order but
    must not overlap; each factor is > 0 (above 1 means faster than free flow)."""

    periods: tuple[TrafficPeriod, ...] = ()
    _pieces: tuple[_Piece, ...] = field(init=False, repr=False, compare=False)
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _per_day: Fraction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        periods = tuple(sorted(TrafficPeriod(*p) for p in self.periods))
        pieces: list[_Piece] = []
        at = 0
        for start, end, factor in periods:
            if not (0 <= start < end <= DAY):
                raise ValueError(f"traffic period {start}–{end} s is not within one day")
            if not (math.isfinite(factor) and factor > 0):
                raise ValueError(f"traffic speed factor {factor} is not above 0")
            if start < at:
                raise ValueError(f"traffic period {start}–{end} s overlaps the one before")
            if start > at:
                pieces.append(_Piece(at, start, 1.0, Fraction(1)))
            pieces.append(_Piece(start, end, float(factor), Fraction(str(float(factor)))))
            at = end
        if at < DAY:
            pieces.append(_Piece(at, DAY, 1.0, Fraction(1)))
        object.__setattr__(self, "periods", periods)
        object.__setattr__(self, "_pieces", tuple(pieces))
        object.__setattr__(self, "_starts", tuple(p.start for p in pieces))
        object.__setattr__(self, "_per_day", sum(p.exact * (p.end - p.start) for p in pieces))

    @classmethod
    def from_document(cls, doc: Mapping[str, Any] | None) -> TrafficProfile:
        """The profile of a warehouse's ``routing`` document (its ``traffic`` list); none
        without one. ``ValueError`` names what is wrong in a document that is not valid."""
        periods: list[TrafficPeriod] = []
        raw = _mapping(doc).get("traffic")
        if raw is None:
            return cls()
        if not isinstance(raw, list):
            raise ValueError("routing.traffic is not a list")
        for n, item in enumerate(raw):
            where = f"routing.traffic[{n}]"
            if not isinstance(item, Mapping):
                raise ValueError(f"{where} is not an object")
            start = _clock(item.get("start"), f"{where}.start")
            end = _clock(item.get("end"), f"{where}.end")
            factor = float(_number(item.get("speed_factor"), f"{where}.speed_factor"))
            if start in (end, DAY):
                raise ValueError(f"{where}: start and end make no period")
            if start < end:
                periods.append(TrafficPeriod(start, end, factor))
            else:  # over midnight
                periods.append(TrafficPeriod(start, DAY, factor))
                if end > 0:
                    periods.append(TrafficPeriod(0, end, factor))
        return cls(tuple(periods))

    def factor_at(self, t: int) -> float:
        """The speed factor in force at ``t`` seconds from local midnight (any day after)."""
        return self._pieces[self._index(t % DAY)].factor

    def slowest(self, start: int, end: int) -> float:
        """The smallest speed factor in force at some time from ``start`` to ``end`` (a
        period beginning exactly at ``end`` is not met: a shift ending at 07:00 misses rush
        hour from 07:00); with ``start == end``, the factor at that instant."""
        if end < start:
            raise ValueError("the interval ends before it starts")
        if end == start:
            return self.factor_at(start)
        if end - start >= DAY:
            return min(p.factor for p in self._pieces)
        lowest = math.inf
        for at, _, piece in self._walk(start):
            if at >= end:
                break
            lowest = min(lowest, piece.factor)
        return lowest

    def duration_factor(self, start: int, end: int) -> float:
        """How much the slowest traffic from ``start`` to ``end`` stretches free-flow
        durations: 1 / :meth:`slowest`, but never below 1 — a plan made with it holds in
        the worst traffic of the interval and never counts on being faster than the
        matrix (``VehicleSpec.duration_factor`` is ≥ 1)."""
        return max(1.0, 1.0 / self.slowest(start, end))

    def travel_time(self, free_flow_s: int, depart_at: int) -> int:
        """Seconds a trip of ``free_flow_s`` free-flow seconds takes when it leaves at
        ``depart_at``: it progresses at free-flow speed × the factor in force, period by
        period, so leaving later never means arriving earlier (FIFO). Rounded up."""
        if free_flow_s < 0:
            raise ValueError("a trip's free-flow duration is not negative")
        remaining = Fraction(free_flow_s)
        if not remaining:
            return 0
        # From any instant, the next 24 hours carry _per_day free-flow seconds of travel.
        days = max(0, math.ceil(remaining / self._per_day) - 1)
        remaining -= days * self._per_day
        for at, until, piece in self._walk(depart_at + days * DAY):
            can = piece.exact * (until - at)
            if remaining <= can:
                return math.ceil(at + remaining / piece.exact - depart_at)
            remaining -= can
        raise AssertionError("unreachable: the walk is endless")  # pragma: no cover

    def _index(self, time_of_day: int) -> int:
        return bisect_right(self._starts, time_of_day) - 1

    def _walk(self, t: int) -> Iterator[tuple[int, int, _Piece]]:
        """The pieces of constant factor from ``t`` on, as absolute ``(from, until, piece)``;
        the first begins at ``t``."""
        day, time_of_day = divmod(t, DAY)
        base, i, at = day * DAY, self._index(time_of_day), t
        while True:
            piece = self._pieces[i]
            yield at, base + piece.end, piece
            at = base + piece.end
            i += 1
            if i == len(self._pieces):
                i, base = 0, base + DAY


@dataclass(frozen=True)
class RoutingSettings:
    """How a depot's own fleet is planned: the average free-flow speed and road factor that
    estimate travel without a road network (great circle × road factor at that speed), the
    time a stop takes (a base plus so much per package) and the depot's traffic."""

    average_speed_kmh: float = DEFAULT_SPEED_KMH
    road_factor: float = DEFAULT_ROAD_FACTOR
    service_s: int = DEFAULT_SERVICE_S
    service_per_package_s: int = DEFAULT_SERVICE_PER_PACKAGE_S
    profile: TrafficProfile = field(default_factory=TrafficProfile)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.average_speed_kmh) and self.average_speed_kmh > 0):
            raise ValueError("the average speed is above 0 km/h")
        if not (math.isfinite(self.road_factor) and self.road_factor >= 1):
            raise ValueError(
                "the road factor is at least 1 (roads are no shorter than the crow flies)"
            )
        if self.service_s < 0 or self.service_per_package_s < 0:
            raise ValueError("service times are not negative")

    @classmethod
    def from_document(cls, doc: Mapping[str, Any] | None) -> RoutingSettings:
        """The settings of a warehouse's ``routing`` document, defaults for what it leaves
        out (35 km/h, road factor 1.3, 5 minutes a stop + 1 a package, no traffic).
        Minutes may be fractional; they are rounded to whole seconds."""
        values = _mapping(doc)

        def given(key: str) -> Decimal | None:
            value = values.get(key)
            return None if value is None else _number(value, f"routing.{key}")

        speed, road, service, per_package = (
            given("average_speed_kmh"),
            given("road_factor"),
            given("service_minutes"),
            given("service_minutes_per_package"),
        )
        return cls(
            average_speed_kmh=DEFAULT_SPEED_KMH if speed is None else float(speed),
            road_factor=DEFAULT_ROAD_FACTOR if road is None else float(road),
            service_s=DEFAULT_SERVICE_S if service is None else _seconds(service),
            service_per_package_s=(
                DEFAULT_SERVICE_PER_PACKAGE_S if per_package is None else _seconds(per_package)
            ),
            profile=TrafficProfile.from_document(values),
        )

    def service_seconds(self, packages: int) -> int:
        """Seconds a stop delivering ``packages`` packages takes."""
        if packages < 0:
            raise ValueError("a stop's packages are not negative")
        return self.service_s + self.service_per_package_s * packages


def _mapping(doc: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if doc is None:
        return {}
    if not isinstance(doc, Mapping):
        raise ValueError("the routing document is not an object")
    return doc


def _number(value: object, where: str) -> Decimal:
    """A decimal string or JSON number, finite."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{where} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"{where} is not a number") from exc
    if not number.is_finite():
        raise ValueError(f"{where} is not a finite number")
    return number


def _seconds(minutes: Decimal) -> int:
    return int((minutes * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _clock(value: object, where: str) -> int:
    """Seconds from midnight of an ``HH:MM`` local time (``24:00`` is the day's end)."""
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{where} is not a time HH:MM")
    hours, minutes = (int(g) for g in match.groups() if g is not None)
    return hours * 3600 + minutes * 60
