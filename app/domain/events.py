"""Domain events: what happened, in the past tense.

A use case (or an aggregate's domain function) records an event on the unit of work. At commit
the unit of work writes each event's audit row (who, what, before/after) and, when the event
has a ``topic``, its outbox row — one mechanism for invariant 5 — and the message bus runs the
reactions its table registers for the event's class, in the same transaction, in the order the
events were recorded (``app/bootstrap.py`` holds the table).

Every event names its record (``entity_type``, ``entity_id``) and the audit ``action``; the
defaults of a class give the usual values, so ``OrderApproved(actor=..., entity_id=order.id,
payload=...)`` is all a use case writes. ``Changed`` is the generic event of records no
reaction listens to (master data, settings) and takes its names per instance.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

Image = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def _resolve(image: Image | None) -> Mapping[str, Any] | None:
    return image() if callable(image) else image


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every event. ``topic`` is the outbox event type; None records the audit row
    only; ``audited=False`` marks a signal for reactions that writes no row at all.
    ``payload`` is the outbox payload (default: the after image, else the before).

    The rows of an event are written after its reactions ran, so an image given as a function
    shows the record as the reactions left it (a cancelled order's payload shows what the
    release gave back). Reactions may append what they did to ``results`` (the transfers they
    drafted, the orders they allocated) for a use case that published the event and reports
    it."""

    actor: str
    entity_id: uuid.UUID | str
    entity_type: str = ""
    action: str = ""
    topic: str | None = None
    before: Image | None = None
    after: Image | None = None
    payload: Image | None = None
    audited: bool = True
    results: list[Any] = field(default_factory=list, compare=False, repr=False)

    @property
    def entity_uuid(self) -> uuid.UUID:
        """``entity_id`` as a UUID (every aggregate a reaction loads has one)."""
        value = self.entity_id
        return value if isinstance(value, uuid.UUID) else uuid.UUID(value)

    def images(self) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
        """(before, after) as written to the audit row."""
        return _resolve(self.before), _resolve(self.after)

    def outbox_payload(self) -> Mapping[str, Any]:
        payload = _resolve(self.payload)
        if payload is not None:
            return payload
        before, after = self.images()
        return after or before or {}


@dataclass(frozen=True, kw_only=True)
class Changed(Event):
    """A record was created or changed and nothing reacts to it but the audit and outbox."""


@dataclass(frozen=True, kw_only=True)
class OrderPlaced(Event):
    entity_type: str = "order"
    action: str = "created"
    topic: str | None = "order.created"


@dataclass(frozen=True, kw_only=True)
class OrderSubmitted(Event):
    """A draft was submitted: review decides its status (reaction)."""

    entity_type: str = "order"
    action: str = "submitted"
    topic: str | None = "order.submitted"
    on: date | None = None


@dataclass(frozen=True, kw_only=True)
class OrderEditStarted(Event):
    """An edit of the order was accepted and its lines are about to be replaced: whatever the
    lines hold goes back first (reaction). Not audited itself: the release is."""

    entity_type: str = "order"
    action: str = "edit_started"
    audited: bool = False


@dataclass(frozen=True, kw_only=True)
class OrderEdited(Event):
    """The order was edited and re-priced; a reviewed order is reviewed again (reaction)."""

    entity_type: str = "order"
    action: str = "updated"
    topic: str | None = "order.updated"
    reviewed_before: bool = False
    on: date | None = None


@dataclass(frozen=True, kw_only=True)
class OrderReviewed(Event):
    entity_type: str = "order"
    action: str = "reviewed"


@dataclass(frozen=True, kw_only=True)
class OrderApproved(Event):
    """Nothing holds the order any more: it is allocated at once (reaction)."""

    entity_type: str = "order"
    action: str = "approved"
    topic: str | None = "order.approved"


@dataclass(frozen=True, kw_only=True)
class OrderHeld(Event):
    entity_type: str = "order"
    action: str = "held"
    topic: str | None = "order.held"


@dataclass(frozen=True, kw_only=True)
class OrderApprovalRequested(Event):
    entity_type: str = "order"
    action: str = "approval_requested"
    topic: str | None = "order.approval_requested"


@dataclass(frozen=True, kw_only=True)
class OrderRejected(Event):
    """Rejected in review: its reservations are released (reaction)."""

    entity_type: str = "order"
    action: str = "rejected"
    topic: str | None = "order.rejected"


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(Event):
    """Cancelled: its reservations are released (reaction)."""

    entity_type: str = "order"
    action: str = "cancelled"
    topic: str | None = "order.cancelled"


@dataclass(frozen=True, kw_only=True)
class OrderShortClosed(Event):
    """Short-closed by sales: what it has not shipped never will be; its reservations are
    released (reaction) and its statuses derive from what was shipped."""

    entity_type: str = "order"
    action: str = "short_closed"
    topic: str | None = "order.short_closed"


@dataclass(frozen=True, kw_only=True)
class OrderAllocated(Event):
    entity_type: str = "order"
    action: str = "allocated"
    topic: str | None = "order.allocated"


@dataclass(frozen=True, kw_only=True)
class OrderBackordered(Event):
    entity_type: str = "order"
    action: str = "backordered"
    topic: str | None = "order.backordered"


@dataclass(frozen=True, kw_only=True)
class ReservationsReleased(Event):
    entity_type: str = "order"
    action: str = "reservations_released"
    topic: str | None = "order.reservations_released"


@dataclass(frozen=True, kw_only=True)
class ReservationExpired(Event):
    entity_type: str = "order"
    action: str = "reservation_expired"
    topic: str | None = "order.reservation_expired"


@dataclass(frozen=True, kw_only=True)
class ConsolidationPlanned(Event):
    """A ship-complete allocation needs stock moved between warehouses: a draft transfer per
    (from, to) pair is created (reaction). ``moves`` are (from, to, product, quantity)."""

    entity_type: str = "order"
    action: str = "consolidation_planned"
    audited: bool = False
    moves: tuple[tuple[uuid.UUID, uuid.UUID, uuid.UUID, Decimal], ...] = ()


@dataclass(frozen=True, kw_only=True)
class StockArrived(Event):
    """On-hand stock of these products rose (adjustment, receipt, transfer in, purchase
    receipt): the orders waiting for them are allocated (reaction). Not audited itself: the
    movements are."""

    entity_type: str = "stock"
    action: str = "arrived"
    audited: bool = False
    product_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ShortPicked(Event):
    """A pick came back short and its reservations were written off: the approved orders it
    served are allocated again from other stock (reaction)."""

    entity_type: str = "pick_list"
    action: str = "short_picked"
    audited: bool = False
    order_ids: tuple[uuid.UUID, ...] = ()


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
class OrderApprovalGiven(Event):
    """One level of the order's approval chain signed; the order is settled after it."""

    entity_type: str = "order"
    action: str = "approval_given"


@dataclass(frozen=True, kw_only=True)
class OrderHoldReleased(Event):
    """One hold was lifted; with none left the order is settled (credit re-checked)."""

    entity_type: str = "order"
    action: str = "released"


@dataclass(frozen=True, kw_only=True)
class OrderPaymentUpdated(Event):
    entity_type: str = "order"
    action: str = "payment_updated"
    topic: str | None = "order.payment_updated"


@dataclass(frozen=True, kw_only=True)
class ReviewSettingsUpdated(Event):
    entity_type: str = "settings"
    action: str = "updated"
    topic: str | None = "settings.review_updated"


@dataclass(frozen=True, kw_only=True)
class StockMoved(Event):
    """A receipt or an adjustment was recorded by hand: the movement, with the level it left
    behind, is audited and published."""

    entity_type: str = "stock_movement"
    action: str = "created"
    topic: str | None = "stock.moved"


@dataclass(frozen=True, kw_only=True)
class TransferCreated(Event):
    entity_type: str = "transfer"
    action: str = "created"
    topic: str | None = "transfer.created"


@dataclass(frozen=True, kw_only=True)
class TransferShipped(Event):
    entity_type: str = "transfer"
    action: str = "shipped"
    topic: str | None = "transfer.shipped"


@dataclass(frozen=True, kw_only=True)
class TransferReceived(Event):
    """Goods of a transfer arrived; ``action`` is the status the receipt left it in
    (``partially_received`` or ``received``)."""

    entity_type: str = "transfer"
    action: str = "received"
    topic: str | None = "transfer.received"


@dataclass(frozen=True, kw_only=True)
class TransferCancelled(Event):
    entity_type: str = "transfer"
    action: str = "cancelled"
    topic: str | None = "transfer.cancelled"


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderCreated(Event):
    entity_type: str = "purchase_order"
    action: str = "created"
    topic: str | None = "purchase_order.created"


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderSent(Event):
    entity_type: str = "purchase_order"
    action: str = "sent"
    topic: str | None = "purchase_order.sent"


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderCancelled(Event):
    entity_type: str = "purchase_order"
    action: str = "cancelled"
    topic: str | None = "purchase_order.cancelled"


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderReceived(Event):
    entity_type: str = "purchase_order"
    action: str = "received"
    topic: str | None = "purchase_order.received"


@dataclass(frozen=True, kw_only=True)
class GoodsReceiptMoved(Event):
    """A receipt movement of a purchase order was written (the same audit and outbox rows as
    any stock movement: ``stock_movement`` created, ``stock.moved``)."""

    entity_type: str = "stock_movement"
    action: str = "created"
    topic: str | None = "stock.moved"


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


@dataclass(frozen=True, kw_only=True)
class BinLocationSet(Event):
    entity_type: str = "bin_location"
    action: str = "set"
    topic: str | None = "bin_location.set"


@dataclass(frozen=True, kw_only=True)
class UserCreated(Event):
    """A user was created; the images never carry the password hash."""

    entity_type: str = "user"
    action: str = "created"
    topic: str | None = "user.created"


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(Event):
    """An integration key was issued; the images never carry the key's hash."""

    entity_type: str = "api_key"
    action: str = "created"
    topic: str | None = "api_key.created"


@dataclass(frozen=True, kw_only=True)
class ApiKeyRevoked(Event):
    entity_type: str = "api_key"
    action: str = "revoked"
    topic: str | None = "api_key.revoked"
