"""Events of delivery planning and dispatch.

Outbox topics: ``delivery_plan.published`` (a plan made or re-planned; its payload is the
whole plan, routes, stops, loading order and unplanned stops, for the warehouse and the
drivers), ``delivery_route.started`` and ``delivery_stop.failed``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class DeliveryPlanPublished(Event):
    entity_type: str = "delivery_plan"
    action: str = "published"
    topic: str | None = "delivery_plan.published"


@dataclass(frozen=True, kw_only=True)
class RouteStarted(Event):
    """A vehicle left the depot: its shipments are confirmed (a reaction of shipments, which
    refuses the start while one of them is not verified)."""

    entity_type: str = "delivery_route"
    action: str = "started"
    topic: str | None = "delivery_route.started"
    shipment_ids: tuple[str, ...]
    vehicle_plate: str | None
    driver: str | None
    started_at: datetime


@dataclass(frozen=True, kw_only=True)
class StopArrived(Event):
    entity_type: str = "delivery_stop"
    action: str = "arrived"


@dataclass(frozen=True, kw_only=True)
class StopFailed(Event):
    entity_type: str = "delivery_stop"
    action: str = "failed"
    topic: str | None = "delivery_stop.failed"
