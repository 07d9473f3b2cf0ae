"""What one order contributes to the summaries, from its rows (a pure function of them, so the
projector and the rebuild derive the same fact)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# Orders sales never count: not yet submitted, or undone.
NOT_COUNTED = frozenset({"draft", "cancelled", "rejected"})
DELIVERED = frozenset({"delivered", "partially_returned", "returned"})
RESERVED_UNSHIPPED = frozenset({"reserved"})
WAITING = frozenset({"unfulfilled", "partially_reserved"})
# The carrier key of a shipment on the own fleet (an order not shipped has the key "").
OWN_FLEET = "own_fleet"
STAGES = ("approval", "allocation", "shipment", "delivery", "total")


@dataclass(frozen=True)
class ShipmentRow:
    warehouse_key: str
    warehouse_label: str
    carrier_key: str
    carrier_label: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    promised_date: date | None


@dataclass(frozen=True)
class Milestones:
    """When the order was submitted, first approved, first allocated (and how many lines that
    allocation left short), first shipped and last delivered."""

    submitted: datetime
    approved: datetime | None = None
    allocated: datetime | None = None
    short_at_first: int | None = None
    shipped: datetime | None = None
    delivered: datetime | None = None


def hours_between(start: datetime | None, end: datetime | None) -> int | None:
    """Whole hours from ``start`` to ``end``; None unless both are known and in order."""
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds() // 3600)


def lead_hours(m: Milestones) -> dict[str, int | None]:
    """Each stage's lead time: order → approval → allocation → shipment → delivery, and the
    whole way."""
    return {
        "approval": hours_between(m.submitted, m.approved),
        "allocation": hours_between(m.approved, m.allocated),
        "shipment": hours_between(m.allocated, m.shipped),
        "delivery": hours_between(m.shipped, m.delivered),
        "total": hours_between(m.submitted, m.delivered),
    }


def backlog_kind(status: str, fulfillment_status: str) -> int:
    """1: approved and reserved, waiting to ship; 2: approved and waiting for stock; else 0."""
    if status != "approved":
        return 0
    if fulfillment_status in RESERVED_UNSHIPPED:
        return 1
    return 2 if fulfillment_status in WAITING else 0


def short_lines(after: Mapping[str, Any] | None) -> int:
    """Lines an allocation left short, from its audit image (``backordered``: sku → qty)."""
    backordered = (after or {}).get("backordered") or {}
    return len(backordered) if isinstance(backordered, Mapping) else 0


def first_shipment(shipments: Sequence[ShipmentRow]) -> ShipmentRow | None:
    """The shipment that left first (one not yet shipped only when none has)."""
    departed = [s for s in shipments if s.shipped_at is not None]
    if departed:
        return min(departed, key=lambda s: s.shipped_at or datetime.max)
    return shipments[0] if shipments else None


def delivered_at(fulfillment_status: str, shipments: Sequence[ShipmentRow]) -> datetime | None:
    """When the last goods arrived, once the order is delivered."""
    if fulfillment_status not in DELIVERED:
        return None
    times = [s.delivered_at for s in shipments if s.delivered_at is not None]
    return max(times, default=None)


def promised(requested: date | None, shipments: Sequence[ShipmentRow]) -> date | None:
    """The date promised: the earliest a shipment promised, else the date the order asked."""
    dates = [s.promised_date for s in shipments if s.promised_date is not None]
    return min(dates) if dates else requested


def on_time(delivered: datetime | None, promise: date | None) -> bool:
    return delivered is not None and promise is not None and delivered.date() <= promise


def in_full(ordered: Decimal, shipped: Decimal) -> bool:
    return ordered > 0 and shipped >= ordered
