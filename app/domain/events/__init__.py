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

The classes live in one module per area (``orders``, ``stock``, ``shipping``, ``access``,
``notices``;
order to cash in ``app.domain.billing.events``) and are imported from this package.
"""

from app.domain.events.access import (
    ApiKeyCreated,
    ApiKeyRevoked,
    UserCreated,
)
from app.domain.events.alerts import AlertAcknowledged, AlertRaised, AlertResolved
from app.domain.events.base import (
    Changed,
    Event,
    Image,
)
from app.domain.events.notices import WebhookEndpointDisabled
from app.domain.events.orders import (
    OrderAllocated,
    OrderApprovalGiven,
    OrderApprovalRequested,
    OrderApproved,
    OrderBackordered,
    OrderCancelled,
    OrderEdited,
    OrderEditStarted,
    OrderHeld,
    OrderHoldReleased,
    OrderPaymentUpdated,
    OrderPlaced,
    OrderRejected,
    OrderReviewed,
    OrderShortClosed,
    OrderSubmitted,
    ReservationExpired,
    ReservationsReleased,
    ReviewSettingsUpdated,
)
from app.domain.events.shipping import (
    CarrierCreated,
    CarrierReportedDelivery,
    CarrierUpdated,
    LabelCancelled,
    LabelFailed,
    LabelPending,
    LabelPurchased,
    OrderDelivered,
    OrderShipped,
    PickListAssigned,
    PickListCreated,
    PickListPicked,
    ShipmentConfirmed,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentVerified,
    ShortPicked,
    TrackingAlerted,
    TrackingUpdated,
)
from app.domain.events.stock import (
    BinLocationSet,
    ConsolidationPlanned,
    GoodsReceiptMoved,
    PurchaseOrderCancelled,
    PurchaseOrderCreated,
    PurchaseOrderReceived,
    PurchaseOrderSent,
    StockArrived,
    StockMoved,
    TransferCancelled,
    TransferCreated,
    TransferReceived,
    TransferShipped,
)

__all__ = [
    "AlertAcknowledged",
    "AlertRaised",
    "AlertResolved",
    "ApiKeyCreated",
    "ApiKeyRevoked",
    "BinLocationSet",
    "CarrierCreated",
    "CarrierReportedDelivery",
    "CarrierUpdated",
    "Changed",
    "ConsolidationPlanned",
    "Event",
    "GoodsReceiptMoved",
    "Image",
    "LabelCancelled",
    "LabelFailed",
    "LabelPending",
    "LabelPurchased",
    "OrderAllocated",
    "OrderApprovalGiven",
    "OrderApprovalRequested",
    "OrderApproved",
    "OrderBackordered",
    "OrderCancelled",
    "OrderDelivered",
    "OrderEditStarted",
    "OrderEdited",
    "OrderHeld",
    "OrderHoldReleased",
    "OrderPaymentUpdated",
    "OrderPlaced",
    "OrderRejected",
    "OrderReviewed",
    "OrderShipped",
    "OrderShortClosed",
    "OrderSubmitted",
    "PickListAssigned",
    "PickListCreated",
    "PickListPicked",
    "PurchaseOrderCancelled",
    "PurchaseOrderCreated",
    "PurchaseOrderReceived",
    "PurchaseOrderSent",
    "ReservationExpired",
    "ReservationsReleased",
    "ReviewSettingsUpdated",
    "ShipmentConfirmed",
    "ShipmentCreated",
    "ShipmentDelivered",
    "ShipmentVerified",
    "ShortPicked",
    "StockArrived",
    "StockMoved",
    "TrackingAlerted",
    "TrackingUpdated",
    "TransferCancelled",
    "TransferCreated",
    "TransferReceived",
    "TransferShipped",
    "UserCreated",
    "WebhookEndpointDisabled",
]
