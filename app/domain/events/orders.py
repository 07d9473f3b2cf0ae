"""Events of orders: intake, edits, review and approval, allocation and release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.events.base import Event


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
class OrderShortClosed(Event):
    """Short-closed by sales: what it has not shipped never will be; its reservations are
    released (reaction) and its statuses derive from what was shipped."""

    entity_type: str = "order"
    action: str = "short_closed"
    topic: str | None = "order.short_closed"
