"""Events of picking, shipments, carriers, labels and tracking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class ShortPicked(Event):
    """A pick came back short and its reservations were written off: the approved orders it
    served are allocated again from other stock (reaction)."""

    entity_type: str = "pick_list"
    action: str = "short_picked"
    audited: bool = False
    order_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PickListCreated(Event):
    entity_type: str = "pick_list"
    action: str = "created"
    topic: str | None = "pick_list.created"


@dataclass(frozen=True, kw_only=True)
class PickListAssigned(Event):
    entity_type: str = "pick_list"
    action: str = "assigned"
    topic: str | None = "pick_list.assigned"


@dataclass(frozen=True, kw_only=True)
class PickListPicked(Event):
    """The pick was confirmed (a short part was written off and re-allocated before)."""

    entity_type: str = "pick_list"
    action: str = "picked"
    topic: str | None = "pick_list.picked"


@dataclass(frozen=True, kw_only=True)
class ShipmentCreated(Event):
    entity_type: str = "shipment"
    action: str = "created"
    topic: str | None = "shipment.created"


@dataclass(frozen=True, kw_only=True)
class ShipmentVerified(Event):
    entity_type: str = "shipment"
    action: str = "verified"
    topic: str | None = "shipment.verified"


@dataclass(frozen=True, kw_only=True)
class ShipmentConfirmed(Event):
    entity_type: str = "shipment"
    action: str = "shipped"


@dataclass(frozen=True, kw_only=True)
class CarrierReportedDelivery(Event):
    """A carrier's tracking says the shipment was delivered: the delivery is recorded on the
    shipment and its order (reaction)."""

    entity_type: str = "shipment"
    action: str = "carrier_delivered"
    audited: bool = False
    delivered_at: datetime


@dataclass(frozen=True, kw_only=True)
class ShipmentDelivered(Event):
    entity_type: str = "shipment"
    action: str = "delivered"


@dataclass(frozen=True, kw_only=True)
class OrderShipped(Event):
    """A shipment of the order left; ``payload`` is the customer notification."""

    entity_type: str = "order"
    action: str = "shipped"
    topic: str | None = "order.shipped"


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(Event):
    """A shipment of the order was handed over; ``payload`` is the customer notification."""

    entity_type: str = "order"
    action: str = "delivered"
    topic: str | None = "order.delivered"


@dataclass(frozen=True, kw_only=True)
class CarrierCreated(Event):
    entity_type: str = "carrier"
    action: str = "created"
    topic: str | None = "carrier.created"


@dataclass(frozen=True, kw_only=True)
class CarrierUpdated(Event):
    entity_type: str = "carrier"
    action: str = "updated"
    topic: str | None = "carrier.updated"


@dataclass(frozen=True, kw_only=True)
class LabelPurchased(Event):
    entity_type: str = "shipment"
    action: str = "label_purchased"
    topic: str | None = "shipment.label_purchased"


@dataclass(frozen=True, kw_only=True)
class LabelPending(Event):
    """The carrier could not be reached or gave no answer: the purchase is retried."""

    entity_type: str = "shipment"
    action: str = "label_pending"
    topic: str | None = "shipment.label_pending"


@dataclass(frozen=True, kw_only=True)
class LabelFailed(Event):
    """The carrier refused the label, or the attempts ran out."""

    entity_type: str = "shipment"
    action: str = "label_failed"
    topic: str | None = "shipment.label_failed"


@dataclass(frozen=True, kw_only=True)
class LabelCancelled(Event):
    """The carrier voided the label; the shipment can be labelled afresh."""

    entity_type: str = "shipment"
    action: str = "label_cancelled"
    topic: str | None = "shipment.label_cancelled"


@dataclass(frozen=True, kw_only=True)
class TrackingUpdated(Event):
    """New carrier events joined the timeline. The outbox row (``topic``) is written only when
    the tracking status changed: such an instance passes ``topic=None``."""

    entity_type: str = "shipment"
    action: str = "tracking_updated"
    topic: str | None = "shipment.tracking_updated"


@dataclass(frozen=True, kw_only=True)
class TrackingAlerted(Event):
    """A new carrier event needs someone (an exception, a failed attempt, ...)."""

    entity_type: str = "shipment"
    action: str = "tracking_alert"
    topic: str | None = "shipment.alert"
