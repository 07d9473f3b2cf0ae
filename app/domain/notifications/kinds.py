"""The kinds of notification, the events they come from, and the channels they go through.

Each kind is told at most once per subject (an order, a shipment, an invoice, a refund, a
return, an alert) and channel; an overdue reminder once per invoice, step and channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class NotificationKind(StrEnum):
    ORDER_CONFIRMED = "order_confirmed"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_EXCEPTION = "delivery_exception"
    REFUND_PAID = "refund_paid"
    INVOICE_ISSUED = "invoice_issued"
    INVOICE_OVERDUE = "invoice_overdue"
    RETURN_APPROVED = "return_approved"
    RETURN_REFUSED = "return_refused"
    RETURN_RECEIVED = "return_received"
    RETURN_RESOLVED = "return_resolved"
    ALERT_RAISED = "alert_raised"


class NotificationChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class Language(StrEnum):
    ZH_CN = "zh-CN"
    EN = "en"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # dead: the attempts ran out, or it could not be rendered
    SKIPPED = "skipped"  # opted out, or no address


# Kinds told to the customer; the alert goes to staff, by email only.
CUSTOMER_KINDS = tuple(k for k in NotificationKind if k is not NotificationKind.ALERT_RAISED)
STAFF_KINDS = (NotificationKind.ALERT_RAISED,)


def channels_of(kind: NotificationKind) -> tuple[NotificationChannel, ...]:
    """The channels a kind is sent on."""
    return (
        (NotificationChannel.EMAIL,)
        if kind in STAFF_KINDS
        else (NotificationChannel.EMAIL, NotificationChannel.SMS)
    )


@dataclass(frozen=True)
class Subject:
    """What a notification is about: the record its once-only rule is keyed on."""

    type: str
    id: str


# Tracking statuses (app.domain.tracking) that tell the customer something.
OUT_FOR_DELIVERY = "out_for_delivery"
EXCEPTIONS = frozenset({"delivery_failed", "exception", "returned_to_sender"})


def kind_of(event_type: str, payload: Mapping[str, object]) -> NotificationKind | None:
    """The kind of notification an outbox event makes, if any.

    - ``order.approved`` confirms the order: nothing holds it any more (review, credit and
      approvals passed), unlike ``order.created``/``submitted``, which may still be held or
      rejected, or ``order.allocated``, which repeats with every allocation.
    - ``order.shipped`` (the warehouse's ship confirmation of one shipment) is "shipped": it is
      our own fact with the carrier and tracking number, while the carrier's first scan may
      never come.
    - ``order.delivered`` is "delivered" (own fleet or carrier); the carrier's
      ``shipment.tracking_updated`` gives "out for delivery" and the delivery exceptions.
    - A return (RMA) is told when it is approved, refused, received and resolved;
      ``return.refunded`` tells nothing, since the refund's own ``refund.paid`` tells the
      customer about the money.
    - ``alert.raised`` goes to the staff of the alert's role.
    """
    if event_type == "shipment.tracking_updated":
        status = payload.get("status")
        if status == OUT_FOR_DELIVERY:
            return NotificationKind.OUT_FOR_DELIVERY
        return NotificationKind.DELIVERY_EXCEPTION if status in EXCEPTIONS else None
    return TOPICS.get(event_type)


TOPICS: dict[str, NotificationKind] = {
    "order.approved": NotificationKind.ORDER_CONFIRMED,
    "order.shipped": NotificationKind.SHIPPED,
    "order.delivered": NotificationKind.DELIVERED,
    "refund.paid": NotificationKind.REFUND_PAID,
    "invoice.issued": NotificationKind.INVOICE_ISSUED,
    "return.approved": NotificationKind.RETURN_APPROVED,
    "return.refused": NotificationKind.RETURN_REFUSED,
    "return.received": NotificationKind.RETURN_RECEIVED,
    "return.resolved": NotificationKind.RETURN_RESOLVED,
    "alert.raised": NotificationKind.ALERT_RAISED,
}

# Kinds whose subject is the shipment (a split order is told once per shipment).
SHIPMENT_KINDS = frozenset(
    {
        NotificationKind.SHIPPED,
        NotificationKind.OUT_FOR_DELIVERY,
        NotificationKind.DELIVERED,
        NotificationKind.DELIVERY_EXCEPTION,
    }
)

# Kinds whose subject is a return (RMA).
RETURN_KINDS = frozenset(
    {
        NotificationKind.RETURN_APPROVED,
        NotificationKind.RETURN_REFUSED,
        NotificationKind.RETURN_RECEIVED,
        NotificationKind.RETURN_RESOLVED,
    }
)


def subject_of(
    kind: NotificationKind, aggregate_type: str, aggregate_id: str, payload: Mapping[str, object]
) -> Subject:
    """The subject of a kind made from an event: the shipment for shipment kinds (the
    order events carry ``shipment_id``), else the event's own aggregate."""
    if kind in SHIPMENT_KINDS:
        shipment_id = payload.get("shipment_id") if aggregate_type != "shipment" else aggregate_id
        return Subject("shipment", str(shipment_id))
    return Subject(aggregate_type, aggregate_id)
