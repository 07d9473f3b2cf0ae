"""Pick lists (拣货单): grouping reserved order lines into stops, the walking path through a
warehouse, and the rules of confirming what was picked."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from app.domain.errors import InvalidState, Violations
from app.domain.locations import BinCode


class PickListStatus(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    PICKED = "picked"


# A pick list still being worked on: its orders are not put on another one.
OPEN_STATUSES = frozenset({PickListStatus.OPEN, PickListStatus.ASSIGNED})

SHORT_PICK_REASON = "short_pick"


def format_pick_list_number(year: int, sequence: int) -> str:
    """``PL-2026-000123``."""
    return f"PL-{year:04d}-{sequence:06d}"


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """``"A10"`` after ``"A9"``: digit runs compare as numbers, the rest case-insensitively."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in re.findall(r"\d+|\D+", text)
    )


Natural = tuple[tuple[int, int | str], ...]
S = TypeVar("S", bound="Stop")


@dataclass(frozen=True)
class Stop:
    """Something to take from a bin (or from nowhere known: ``location`` None)."""

    sku: str
    location: BinCode | None


def walking_path(stops: Iterable[S]) -> list[S]:
    """The order to visit ``stops`` in: zone, then aisle, then shelf, then bin. The aisles of a
    zone are walked in alternate directions (serpentine): in the 1st, 3rd, … aisle visited in a
    zone shelves ascend, in the 2nd, 4th, … they descend; bins within a shelf always ascend.
    Stops without a bin location come last. Codes compare naturally (``A9`` before ``A10``).
    The result depends only on the stops, never on the order they came in (ties: SKU)."""
    items = list(stops)
    located = [s for s in items if s.location is not None]
    aisles: dict[Natural, set[Natural]] = {}
    shelves: dict[tuple[Natural, Natural], set[Natural]] = {}
    for s in located:
        loc = _located(s)
        zone, aisle = _natural(loc.zone), _natural(loc.aisle)
        aisles.setdefault(zone, set()).add(aisle)
        shelves.setdefault((zone, aisle), set()).add(_natural(loc.shelf))
    aisle_rank = {
        (zone, aisle): i for zone, seen in aisles.items() for i, aisle in enumerate(sorted(seen))
    }
    shelf_rank = {
        (where, shelf): i for where, seen in shelves.items() for i, shelf in enumerate(sorted(seen))
    }

    def key(s: S) -> tuple[object, ...]:
        loc = _located(s)
        zone, aisle, shelf = _natural(loc.zone), _natural(loc.aisle), _natural(loc.shelf)
        position = aisle_rank[(zone, aisle)]
        along = shelf_rank[((zone, aisle), shelf)]
        return (zone, position, along if position % 2 == 0 else -along, _natural(loc.bin), s.sku)

    unlocated = sorted((s for s in items if s.location is None), key=lambda s: s.sku)
    return sorted(located, key=key) + unlocated


def _located(stop: Stop) -> BinCode:
    assert stop.location is not None
    return stop.location


@dataclass(frozen=True)
class Demand:
    """One order line's reservation in the warehouse: what it wants picked."""

    order_id: uuid.UUID
    order_number: str
    order_line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    quantity: Decimal


@dataclass(frozen=True)
class PlannedLine(Stop):
    """A stop on the pick list: one product at its bin, with its per-order breakdown (in the
    order the demands came, oldest order first)."""

    product_id: uuid.UUID = field(default_factory=uuid.uuid4)
    quantity: Decimal = Decimal(0)
    items: tuple[Demand, ...] = ()


def plan_pick_lines(
    demands: Sequence[Demand], locations: dict[uuid.UUID, BinCode]
) -> list[PlannedLine]:
    """Group demands by product (one bin per product and warehouse) and walk them."""
    grouped: dict[uuid.UUID, list[Demand]] = {}
    for d in demands:
        if d.quantity > 0:
            grouped.setdefault(d.product_id, []).append(d)
    lines = [
        PlannedLine(
            sku=items[0].sku,
            location=locations.get(product_id),
            product_id=product_id,
            quantity=sum((d.quantity for d in items), Decimal(0)),
            items=tuple(items),
        )
        for product_id, items in grouped.items()
    ]
    return walking_path(lines)


def share_picked(quantities: Sequence[Decimal], picked: Decimal) -> list[Decimal]:
    """Split what was picked over a line's breakdown, given oldest order first: the earlier
    orders are served in full, so a shortfall falls on the latest orders."""
    out = []
    left = picked
    for q in quantities:
        take = min(q, max(left, Decimal(0)))
        out.append(take)
        left -= take
    return out


@dataclass(frozen=True)
class Confirmation:
    sku: str
    picked: Decimal


def check_confirmation(to_pick: dict[str, Decimal], lines: Sequence[Confirmation]) -> None:
    """Every line of the pick list is confirmed once, with 0 ≤ picked ≤ to pick."""
    v = Violations()
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if line.sku not in to_pick:
            v.add(f"lines.{i}.sku", "on_pick_list", f"SKU '{line.sku}' is not on this pick list.")
            continue
        if line.sku in seen:
            v.add(f"lines.{i}.sku", "unique", f"SKU '{line.sku}' is confirmed twice.")
        seen.add(line.sku)
        if line.picked < 0:
            v.add(f"lines.{i}.picked", "not_negative", "Picked cannot be negative.")
        elif line.picked > to_pick[line.sku]:
            v.add(
                f"lines.{i}.picked",
                "at_most_to_pick",
                f"Picked {line.picked} of {line.sku} is more than the {to_pick[line.sku]} to pick.",
            )
    missing = sorted(set(to_pick) - seen - {x.sku for x in lines})
    if missing:
        v.add("lines", "every_line", f"Confirm every line; missing: {', '.join(missing)}.")
    v.raise_if_any()


def check_can_change(status: str, action: str) -> None:
    """Only an open (or assigned) pick list is assigned or confirmed."""
    if status not in OPEN_STATUSES:
        raise InvalidState(
            f"This pick list is {status}; it cannot be {action}.", code="pick_list_closed"
        )
