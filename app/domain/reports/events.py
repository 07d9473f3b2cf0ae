"""Which events touch the summaries: an event names an order, a shipment (of an order) or a
customer (whose orders carry its group). The projector derives those orders' facts again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["order", "shipment", "customer"]


@dataclass(frozen=True)
class Touch:
    kind: Kind
    id: str


def touched(event_type: str, aggregate_type: str, aggregate_id: str) -> Touch | None:
    """What an event of the stream touches, or None when no summary depends on it."""
    if aggregate_type == "order" or event_type.startswith("order."):
        return Touch("order", aggregate_id)
    if event_type.startswith("shipment."):
        return Touch("shipment", aggregate_id)
    if event_type == "customer.updated":
        return Touch("customer", aggregate_id)
    return None
