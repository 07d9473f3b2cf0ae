"""Solve a day: the travel matrix (kept on the plan, asked again only for new places), the
problem, the solver in a worker thread (it is CPU-bound; no transaction is open meanwhile),
and the draft timed hour by hour."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from app.adapters.routing.matrix import travel_matrix_provider
from app.adapters.routing.pyvrp_solver import PyVrpSolver
from app.domain.routing.drafts import Draft, draft
from app.domain.routing.model import Matrix, Solution
from app.domain.routing.problem import Place, Point, Truck, build_problem, duration_factor, lay_out
from app.domain.routing.traffic import RoutingSettings
from app.settings import Settings

SOLVER = "pyvrp"


@dataclass(frozen=True)
class Day:
    """Everything a solve needs, read in one short transaction."""

    depot: Point
    trucks: tuple[Truck, ...]
    places: tuple[Place, ...]
    routing: RoutingSettings
    cached: dict[str, Any]


@dataclass(frozen=True)
class Solved:
    draft: Draft
    matrix: dict[str, Any]
    seconds: float


def _key(p: Sequence[float]) -> tuple[float, float]:
    return round(float(p[0]), 6), round(float(p[1]), 6)


def _from_cache(points: Sequence[Point], cached: dict[str, Any]) -> Matrix | None:
    index = {_key(p): i for i, p in enumerate(cached.get("points") or [])}
    try:
        rows = [index[_key(p)] for p in points]
    except KeyError:
        return None
    dist, dur = cached["distance"], cached["duration"]
    return Matrix(
        distance=[[dist[a][b] for b in rows] for a in rows],
        duration=[[dur[a][b] for b in rows] for a in rows],
    )


async def matrix_for(
    points: Sequence[Point],
    cached: dict[str, Any],
    routing: RoutingSettings,
    settings: Settings,
    client: httpx.AsyncClient,
) -> tuple[Matrix, dict[str, Any]]:
    """The matrix of ``points``: from the plan's own cache when it holds every point."""
    found = _from_cache(points, cached)
    if found is not None:
        return found, cached
    provider = travel_matrix_provider(
        settings.osrm_url,
        client,
        road_factor=float(routing.road_factor),
        speed_kmh=float(routing.average_speed_kmh),
        timeout_seconds=settings.osrm_timeout_seconds,
    )
    matrix = await provider.matrix(points)
    doc = {
        "points": [list(_key(p)) for p in points],
        "distance": [list(r) for r in matrix.distance],
        "duration": [list(r) for r in matrix.duration],
    }
    return matrix, doc


async def solve_day(
    day: Day, settings: Settings, client: httpx.AsyncClient, *, seed: int, time_limit: float
) -> Solved:
    layout = lay_out(day.depot, day.trucks, day.places)
    matrix, doc = await matrix_for(layout.points, day.cached, day.routing, settings, client)
    profile = day.routing.profile
    factors = {
        t.key: duration_factor(profile.slowest(t.shift_start, t.shift_end)) for t in day.trucks
    }
    problem, unplanned = build_problem(matrix, layout, day.trucks, day.places, factors)
    started = time.perf_counter()
    if problem.stops and problem.vehicles:
        solution = await asyncio.to_thread(
            PyVrpSolver().solve,
            problem,
            time_limit=time_limit,
            seed=seed,
            iterations=settings.routing_iterations,
        )
    else:
        solution = Solution(routes=(), unassigned=tuple(s.key for s in problem.stops))
    seconds = time.perf_counter() - started
    result = draft(matrix, layout, day.trucks, day.places, solution, unplanned, profile)
    return Solved(result, doc, seconds)
