"""Events of after-sales: service cases, returns (RMA) and delivery feedback.

Outbox topics: ``case.opened``, ``case.updated``, ``case.resolved``, ``return.requested``,
``return.approved``, ``return.refused``, ``return.received``, ``return.refunded``,
``return.resolved``, ``feedback.received``. A case's payload is the case (without its
timeline); a return's is the return with its lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class CaseOpened(Event):
    entity_type: str = "service_case"
    action: str = "opened"
    topic: str | None = "case.opened"


@dataclass(frozen=True, kw_only=True)
class CaseUpdated(Event):
    """State, assignee or priority changed, or a message was added."""

    entity_type: str = "service_case"
    action: str = "updated"
    topic: str | None = "case.updated"


@dataclass(frozen=True, kw_only=True)
class CaseResolved(Event):
    entity_type: str = "service_case"
    action: str = "resolved"
    topic: str | None = "case.resolved"


@dataclass(frozen=True, kw_only=True)
class ReturnRequested(Event):
    entity_type: str = "return"
    action: str = "requested"
    topic: str | None = "return.requested"


@dataclass(frozen=True, kw_only=True)
class ReturnApproved(Event):
    """Approved automatically or by someone; reactions arrange how the goods come back."""

    entity_type: str = "return"
    action: str = "approved"
    topic: str | None = "return.approved"


@dataclass(frozen=True, kw_only=True)
class ReturnRefused(Event):
    entity_type: str = "return"
    action: str = "refused"
    topic: str | None = "return.refused"


@dataclass(frozen=True, kw_only=True)
class ReturnReceived(Event):
    """The goods arrived and were inspected; restocked quantities are back on hand."""

    entity_type: str = "return"
    action: str = "received"
    topic: str | None = "return.received"


@dataclass(frozen=True, kw_only=True)
class ReturnRefunded(Event):
    entity_type: str = "return"
    action: str = "refunded"
    topic: str | None = "return.refunded"


@dataclass(frozen=True, kw_only=True)
class ReturnResolved(Event):
    """Resolved as refund, replacement or exchange (payload names the resulting documents)."""

    entity_type: str = "return"
    action: str = "resolved"
    topic: str | None = "return.resolved"


@dataclass(frozen=True, kw_only=True)
class FeedbackReceived(Event):
    entity_type: str = "delivery_feedback"
    action: str = "received"
    topic: str | None = "feedback.received"


@dataclass(frozen=True, kw_only=True)
class ReturnLabelPurchased(Event):
    """A carrier's return label was bought for the return (payload: carrier, service,
    tracking number, price); the customer ships the goods back with it."""

    entity_type: str = "return"
    action: str = "label_purchased"
    topic: str | None = "return.label_purchased"


@dataclass(frozen=True, kw_only=True)
class ReturnTrackingUpdated(Event):
    """The carrier reported the return's parcel further along (its tracking status changed).
    A ``delivered`` status does not receive the return: the warehouse inspects it first."""

    entity_type: str = "return"
    action: str = "tracking_updated"
    topic: str | None = "return.tracking_updated"


@dataclass(frozen=True, kw_only=True)
class ReturnPickupScheduled(Event):
    """The own fleet will collect the goods on a day (and in a time window)."""

    entity_type: str = "return"
    action: str = "pickup_scheduled"
    topic: str | None = "return.pickup_scheduled"
