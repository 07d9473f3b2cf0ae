"""Allocation (订单分配): which warehouse serves which line of an approved order.

Strategies (a setting):
- ``nearest_single``: one warehouse that can fill the whole order, nearest to the ship-to by
  great-circle distance, ties broken by warehouse priority;
- ``min_split``: the fewest warehouses that together fill the most, then by distance;
- ``priority``: each line from the warehouses in priority order.

The customer's policy decides what happens when stock is short: ``ship_partial`` allocates what
exists and backorders the rest; ``ship_complete`` allocates only when one warehouse can fill the
whole order — otherwise nothing is reserved, the order waits, and when several warehouses
together hold enough, a consolidation transfer into the nearest one is proposed.

Every plan carries its explanation: the warehouses considered, what each could fill, and why.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

ZERO = Decimal(0)


class Strategy(StrEnum):
    NEAREST_SINGLE = "nearest_single"
    MIN_SPLIT = "min_split"
    PRIORITY = "priority"


class Policy(StrEnum):
    SHIP_PARTIAL = "ship_partial"
    SHIP_COMPLETE = "ship_complete"


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


def great_circle_km(a: Point, b: Point) -> float:
    """Haversine distance on a sphere of the Earth's mean radius (6371 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Candidate:
    """A warehouse that could serve: its available stock per product."""

    warehouse_id: Any
    code: str
    priority: int
    location: Point | None
    available: Mapping[Any, Decimal]

    def can(self, product_id: Any) -> Decimal:
        return max(self.available.get(product_id, ZERO), ZERO)


@dataclass(frozen=True)
class Need:
    line_id: Any
    product_id: Any
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class Assignment:
    line_id: Any
    warehouse_id: Any
    product_id: Any
    quantity: Decimal


@dataclass(frozen=True)
class TransferProposal:
    """Move ``quantity`` of a product from one warehouse to the consolidation target."""

    from_warehouse_id: Any
    to_warehouse_id: Any
    product_id: Any
    quantity: Decimal


@dataclass
class Plan:
    assignments: list[Assignment] = field(default_factory=list)
    backordered: dict[Any, Decimal] = field(default_factory=dict)
    considered: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    transfers: list[TransferProposal] = field(default_factory=list)

    def explanation(self) -> dict[str, Any]:
        return {"reason": self.reason, "considered": self.considered}


def _distance(c: Candidate, destination: Point | None) -> float | None:
    if destination is None or c.location is None:
        return None
    return round(great_circle_km(c.location, destination), 1)


def _rank(destination: Point | None) -> Any:
    def key(c: Candidate) -> tuple[float, int, str]:
        d = _distance(c, destination)
        return (math.inf if d is None else d, c.priority, c.code)

    return key


def _fills_all(c: Candidate, needs: Sequence[Need]) -> bool:
    return all(c.can(n.product_id) >= n.quantity for n in needs)


def plan_allocation(
    needs: Sequence[Need],
    candidates: Sequence[Candidate],
    *,
    strategy: Strategy,
    policy: Policy,
    destination: Point | None,
    allow_consolidation: bool = True,
) -> Plan:
    plan = Plan()
    needs = [n for n in needs if n.quantity > 0]
    plan.considered = [
        {
            "warehouse": c.code,
            "distance_km": _distance(c, destination),
            "priority": c.priority,
            "can_fill": {n.sku: str(min(c.can(n.product_id), n.quantity)) for n in needs},
            "fills_whole_order": _fills_all(c, needs),
        }
        for c in sorted(candidates, key=_rank(destination))
    ]
    if not needs:
        plan.reason = "Nothing left to allocate."
        return plan
    by_distance = sorted(candidates, key=_rank(destination))
    whole = [c for c in by_distance if _fills_all(c, needs)]
    if policy is Policy.SHIP_COMPLETE:
        if whole:
            chosen = whole[0]
            if strategy is Strategy.PRIORITY:
                chosen = min(whole, key=lambda c: (c.priority, c.code))
            _take_all(plan, needs, chosen)
            plan.reason = (
                f"Ship complete: {chosen.code} fills the whole order"
                f" ({_why(chosen, strategy, destination)})."
            )
            return plan
        plan.backordered = {n.line_id: n.quantity for n in needs}
        plan.reason = "Ship complete: no single warehouse can fill the whole order; it waits."
        if allow_consolidation and by_distance and _enough_together(needs, candidates):
            target = by_distance[0]
            plan.transfers = _consolidate(needs, target, by_distance[1:])
            plan.reason += f" Together the warehouses can: consolidate into {target.code}."
        return plan
    if strategy is Strategy.NEAREST_SINGLE and whole:
        _take_all(plan, needs, whole[0])
        plan.reason = (
            f"{whole[0].code} fills the whole order ({_why(whole[0], strategy, destination)})."
        )
        return plan
    if strategy is Strategy.MIN_SPLIT:
        _min_split(plan, needs, by_distance)
    else:
        order = (
            sorted(candidates, key=lambda c: (c.priority, c.code))
            if strategy is Strategy.PRIORITY
            else by_distance
        )
        _greedy(plan, needs, order)
        plan.reason = (
            "Each line from warehouses in priority order."
            if strategy is Strategy.PRIORITY
            else "No single warehouse can fill the order: each line from the nearest "
            "warehouses that have it."
        )
    if plan.backordered:
        plan.reason += " Short quantities are backordered."
    return plan


def _why(c: Candidate, strategy: Strategy, destination: Point | None) -> str:
    if strategy is Strategy.PRIORITY or _distance(c, destination) is None:
        return f"priority {c.priority}"
    return f"{_distance(c, destination)} km away, priority {c.priority}"


def _take_all(plan: Plan, needs: Sequence[Need], c: Candidate) -> None:
    plan.assignments = [
        Assignment(n.line_id, c.warehouse_id, n.product_id, n.quantity) for n in needs
    ]


def _greedy(plan: Plan, needs: Sequence[Need], ordered: Sequence[Candidate]) -> None:
    left = {c.warehouse_id: dict(c.available) for c in ordered}
    for n in needs:
        remaining = n.quantity
        for c in ordered:
            take = min(remaining, max(left[c.warehouse_id].get(n.product_id, ZERO), ZERO))
            if take > 0:
                plan.assignments.append(Assignment(n.line_id, c.warehouse_id, n.product_id, take))
                left[c.warehouse_id][n.product_id] = (
                    left[c.warehouse_id].get(n.product_id, ZERO) - take
                )
                remaining -= take
            if remaining == 0:
                break
        if remaining > 0:
            plan.backordered[n.line_id] = remaining


def _min_split(plan: Plan, needs: Sequence[Need], by_distance: Sequence[Candidate]) -> None:
    """Greedy set cover: repeatedly the warehouse that covers the most of what is left."""
    remaining = {n.line_id: n.quantity for n in needs}
    pool = list(by_distance)
    used: list[str] = []
    while pool and any(q > 0 for q in remaining.values()):

        def covers(c: Candidate) -> Decimal:
            return sum((min(c.can(n.product_id), remaining[n.line_id]) for n in needs), ZERO)

        best = max(pool, key=lambda c: (covers(c), -pool.index(c)))
        if covers(best) <= 0:
            break
        pool.remove(best)
        used.append(best.code)
        for n in needs:
            take = min(best.can(n.product_id), remaining[n.line_id])
            if take > 0:
                plan.assignments.append(
                    Assignment(n.line_id, best.warehouse_id, n.product_id, take)
                )
                remaining[n.line_id] -= take
    plan.backordered = {k: v for k, v in remaining.items() if v > 0}
    plan.reason = f"Fewest warehouses: {', '.join(used) or 'none'} (most covered first)."


def _enough_together(needs: Sequence[Need], candidates: Sequence[Candidate]) -> bool:
    return all(sum((c.can(n.product_id) for c in candidates), ZERO) >= n.quantity for n in needs)


def _consolidate(
    needs: Sequence[Need], target: Candidate, sources: Sequence[Candidate]
) -> list[TransferProposal]:
    proposals = []
    for n in needs:
        missing = n.quantity - target.can(n.product_id)
        for c in sources:
            if missing <= 0:
                break
            take = min(missing, c.can(n.product_id))
            if take > 0:
                proposals.append(
                    TransferProposal(c.warehouse_id, target.warehouse_id, n.product_id, take)
                )
                missing -= take
    return proposals
