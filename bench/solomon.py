"""Solomon's VRPTW instances for the routing benchmark: reading them, the ``Problem`` each
becomes (integer matrix × 1000: distance rounded, travel time rounded up, so that a schedule
feasible in integers is feasible with the true distances), and the checks in doubles."""

from __future__ import annotations

import fnmatch
import json
import math
import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from app.domain.routing.model import Matrix, Problem, Solution, StopSpec, VehicleSpec, Window

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "vrptw"
SCALE = 1000
CLASSES = ("C1", "C2", "R1", "R2", "RC1", "RC2")


@dataclass(frozen=True)
class Customer:
    number: int
    x: int
    y: int
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    customers: tuple[Customer, ...]  # the depot first

    @property
    def family(self) -> str:
        match = re.match(r"[A-Z]+\d", self.name)
        return match.group(0) if match else self.name


def read_instance(path: Path) -> Instance:
    """Solomon's text format: name, the VEHICLE block (number, capacity), the CUSTOMER
    table (number, x, y, demand, ready time, due date, service time), depot first."""
    lines = [line.split() for line in path.read_text().splitlines()]
    rows = [row for row in lines if row and all(_is_number(cell) for cell in row)]
    vehicles, capacity = (int(cell) for cell in rows[0])
    customers = tuple(Customer(*(_integer(cell) for cell in row)) for row in rows[1:])
    return Instance(lines[0][0], vehicles, capacity, customers)


def _is_number(cell: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", cell) is not None


def _integer(cell: str) -> int:
    value = float(cell)
    if value != int(value):
        raise ValueError(f"{cell}: the exact integer scaling needs whole coordinates and times")
    return int(value)


def instances(patterns: list[str]) -> list[Instance]:
    paths = sorted((DATA / "solomon").glob("*.txt"), key=lambda p: _order(p.stem))
    chosen = [p for p in paths if any(fnmatch.fnmatch(p.stem.upper(), x.upper()) for x in patterns)]
    return [read_instance(p) for p in chosen]


def _order(name: str) -> tuple[int, str]:
    family = re.match(r"[A-Z]+\d", name)
    return (CLASSES.index(family.group(0)) if family else len(CLASSES), name)


def best_known() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads((DATA / "solomon_bks_distance.json").read_text())
    return data


# --------------------------------------------------------------------------- the problem


def scaled_distance(a: Customer, b: Customer) -> tuple[int, int]:
    """Distance × SCALE rounded to the nearest unit and rounded up, computed exactly."""
    squared = ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) * SCALE * SCALE
    root = math.isqrt(squared)
    nearest = root + 1 if 4 * squared > (2 * root + 1) ** 2 else root
    up = root if root * root == squared else root + 1
    return nearest, up


def problem(instance: Instance) -> Problem:
    """The instance in the domain model: location i is customer i, the depot is 0."""
    pairs = [[scaled_distance(a, b) for b in instance.customers] for a in instance.customers]
    matrix = Matrix(
        distance=[[near for near, _ in row] for row in pairs],
        duration=[[up for _, up in row] for row in pairs],
    )
    depot, *customers = instance.customers
    stops = tuple(
        StopSpec(
            key=str(c.number),
            location=c.number,
            weight=c.demand,
            service=c.service * SCALE,
            windows=(Window(c.ready * SCALE, c.due * SCALE),),
        )
        for c in customers
    )
    fleet = VehicleSpec(
        key="vehicle",
        start_location=0,
        end_location=0,
        capacity_weight=instance.capacity,
        capacity_volume=0,
        shift_start=depot.ready * SCALE,
        shift_end=depot.due * SCALE,
        count=instance.vehicles,
    )
    return Problem(matrix, stops, (fleet,))


# --------------------------------------------------------------------------- checks in doubles


def _euclid(a: Customer, b: Customer) -> float:
    return math.sqrt((a.x - b.x) ** 2 + (a.y - b.y) ** 2)


def _routes(instance: Instance, solution: Solution) -> list[list[Customer]]:
    return [[instance.customers[int(key)] for key in r.stops] for r in solution.routes]


def total_distance(instance: Instance, solution: Solution) -> float:
    """Total distance in double precision from the coordinates, rounded to two decimals."""
    depot = instance.customers[0]
    total = 0.0
    for route in _routes(instance, solution):
        path = [depot, *route, depot]
        total += sum(_euclid(a, b) for a, b in pairwise(path))
    return round(total, 2)


def double_violations(instance: Instance, solution: Solution) -> list[str]:
    """The solution driven again with true (double) distances as travel times."""
    depot = instance.customers[0]
    problems: list[str] = []
    served = [c.number for route in _routes(instance, solution) for c in route]
    if sorted(served) != [c.number for c in instance.customers[1:]]:
        problems.append("customers not served exactly once")
    if len(solution.routes) > instance.vehicles:
        problems.append(f"{len(solution.routes)} routes, {instance.vehicles} vehicles")
    for number, route in enumerate(_routes(instance, solution), start=1):
        if sum(c.demand for c in route) > instance.capacity:
            problems.append(f"route {number}: over capacity")
        now, here = float(depot.ready), depot
        for c in route:
            now = max(now + _euclid(here, c), float(c.ready))
            if now > c.due:
                problems.append(f"route {number}: customer {c.number} at {now:.6f} > {c.due}")
            now, here = now + c.service, c
        if now + _euclid(here, depot) > depot.due:
            problems.append(f"route {number}: back at the depot after {depot.due}")
    return problems
