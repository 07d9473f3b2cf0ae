"""Travel matrices for delivery planning: the port (:class:`TravelMatrixProvider`), its error,
the estimate without a road network (:class:`GreatCircleMatrix`) and the factory choosing
between that and OSRM (``app.adapters.routing.osrm``).

Every provider answers whole metres and whole free-flow seconds, rounding durations up so
that a plan never counts on a trip being shorter than estimated; a pair with no road between
them is :data:`UNREACHABLE` in both tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Protocol

import httpx

from app.domain.routing.geo import great_circle_m
from app.domain.routing.model import Matrix

# Metres and seconds of a pair with no route: far above any real trip, so a solver never
# chooses it, yet small enough to add up without overflowing a 64-bit integer.
UNREACHABLE = 10**9


class RoutingUnavailable(Exception):
    """The travel matrix could not be had. ``status`` is the routing server's HTTP status
    (None when there was no answer: connection failure or timeout), ``code`` its own error
    code when it gave one (OSRM: ``InvalidQuery``, ``TooBig``, ``NoTable``...)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class TravelMatrixProvider(Protocol):
    async def matrix(self, points: Sequence[tuple[float, float]]) -> Matrix:
        """Distance (m) and free-flow duration (s) from every one of ``points`` to every
        other, in their order; ``points`` are (latitude, longitude) in degrees (WGS 84).
        ``RoutingUnavailable`` when the source of the matrix fails; ``ValueError`` for a
        point that is not a coordinate."""
        ...


def checked_points(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points as floats, once each is a finite latitude in [-90, 90] and longitude in
    [-180, 180]."""
    out = []
    for n, (lat, lon) in enumerate(points):
        lat, lon = float(lat), float(lon)
        if not (math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180):
            raise ValueError(f"point {n} ({lat}, {lon}) is not a latitude and longitude")
        out.append((lat, lon))
    return out


def _exact(value: float) -> Fraction:
    """A setting written as a decimal ("35", "28.5") as that decimal, so 525 m at 35 km/h
    is 54 s and not the 54.00000000000001 of float arithmetic (rounded up: 55)."""
    return Fraction(str(value))


class GreatCircleMatrix:
    """Travel estimated without roads: the great circle × ``road_factor`` (≥ 1: roads wind),
    rounded to metres, driven at ``speed_kmh``, rounded up to seconds. Symmetric."""

    def __init__(self, road_factor: float, speed_kmh: float) -> None:
        if not (math.isfinite(road_factor) and road_factor >= 1):
            raise ValueError("the road factor is at least 1")
        if not (math.isfinite(speed_kmh) and speed_kmh > 0):
            raise ValueError("the speed is above 0 km/h")
        self.road_factor = road_factor
        self.speed_kmh = speed_kmh
        self._seconds_per_metre = Fraction(36, 10) / _exact(speed_kmh)

    async def matrix(self, points: Sequence[tuple[float, float]]) -> Matrix:
        located = checked_points(points)
        size = len(located)
        distance = [[0] * size for _ in range(size)]
        duration = [[0] * size for _ in range(size)]
        for i in range(size):
            for j in range(i + 1, size):
                metres = math.floor(
                    great_circle_m(*located[i], *located[j]) * self.road_factor + 0.5
                )
                seconds = math.ceil(metres * self._seconds_per_metre)
                distance[i][j] = distance[j][i] = metres
                duration[i][j] = duration[j][i] = seconds
        return Matrix(distance=distance, duration=duration)


def travel_matrix_provider(
    osrm_url: str | None,
    client: httpx.AsyncClient | None,
    *,
    road_factor: float,
    speed_kmh: float,
    timeout_seconds: float | None = None,
) -> TravelMatrixProvider:
    """OSRM at ``osrm_url`` through ``client`` when a URL is set (``LADING_OSRM_URL``;
    ``timeout_seconds`` bounds each of its requests), else the great-circle estimate with
    the depot's road factor and average speed. A URL without a client is a wiring mistake
    (``ValueError``) rather than a silent fall-back to the estimate."""
    if not osrm_url:
        return GreatCircleMatrix(road_factor=road_factor, speed_kmh=speed_kmh)
    if client is None:
        raise ValueError("OSRM needs an httpx client")
    from app.adapters.routing.osrm import OsrmMatrix  # osrm imports this module

    return OsrmMatrix(client, osrm_url, timeout_seconds=timeout_seconds)
