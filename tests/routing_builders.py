"""Small routing problems for tests: locations on a line, stops and vehicles with keyword
overrides. One unit of the line is 1 km and 100 s of driving; location 0 is the depot at 0."""

from __future__ import annotations

import random
from typing import Any

from app.domain.routing.model import Matrix, Problem, StopSpec, VehicleSpec, Window

BIG_PRIZE = 10**9


def line(*positions: int) -> Matrix:
    """Location i (from 1) at ``positions[i - 1]``, the depot (location 0) at 0."""
    points = [0, *positions]
    return Matrix(
        distance=[[abs(a - b) * 1000 for b in points] for a in points],
        duration=[[abs(a - b) * 100 for b in points] for a in points],
    )


def stop(key: str, location: int, **kw: Any) -> StopSpec:
    return StopSpec(key=key, location=location, **kw)


def vehicle(key: str = "van", **kw: Any) -> VehicleSpec:
    values: dict[str, Any] = {
        "start_location": 0,
        "end_location": 0,
        "capacity_weight": 100,
        "capacity_volume": 100,
    }
    values.update(kw)
    return VehicleSpec(key=key, **values)


def scattered(n: int, seed: int) -> Problem:
    """``n`` stops on a 40 km square around the depot, 2-hour windows over the day, loads
    that need about four of the eight vehicles."""
    rng = random.Random(seed)
    points = [(0, 0)] + [(rng.randint(-20, 20), rng.randint(-20, 20)) for _ in range(n)]
    metres = [
        [round(1000 * ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5) for bx, by in points]
        for ax, ay in points
    ]
    matrix = Matrix(distance=metres, duration=[[m // 10 for m in row] for row in metres])
    stops = []
    for i in range(1, n + 1):
        opens = rng.randint(0, 20_000)
        window = Window(opens, opens + 7200)
        stops.append(stop(f"s{i}", i, weight=rng.randint(5, 30), service=300, windows=(window,)))
    fleet = (vehicle(count=8, capacity_weight=120, shift_end=40_000),)
    return Problem(matrix, tuple(stops), fleet)
