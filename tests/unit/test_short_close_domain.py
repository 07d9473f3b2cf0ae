"""Short-close and completion rules: statuses derived from what shipped once an order is
short-closed, completed only when delivered and paid, and who may be short-closed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from app.domain import order_lines
from app.domain.errors import InvalidState
from app.domain.orders import (
    BillingStatus,
    FulfillmentStatus,
    LineQuantities,
    Settlement,
    billing_status,
    ensure_short_closable,
    fulfillment_status,
    is_completed,
)

PARTLY = [LineQuantities(D(5), shipped=D(3), delivered=D(3), invoiced=D(3)), LineQuantities(D(2))]


def test_a_short_closed_order_is_measured_against_what_shipped() -> None:
    assert fulfillment_status(PARTLY) is FulfillmentStatus.PARTIALLY_DELIVERED
    assert fulfillment_status(PARTLY, short_closed=True) is FulfillmentStatus.DELIVERED
    undelivered = [LineQuantities(D(5), shipped=D(3)), LineQuantities(D(2))]
    assert fulfillment_status(undelivered, short_closed=True) is FulfillmentStatus.SHIPPED
    assert billing_status(PARTLY, Settlement.FULL) is BillingStatus.PARTIALLY_PAID
    assert billing_status(PARTLY, Settlement.FULL, short_closed=True) is BillingStatus.PAID


def test_completed_needs_delivered_and_paid() -> None:
    assert is_completed(FulfillmentStatus.DELIVERED, BillingStatus.PAID)
    assert not is_completed(FulfillmentStatus.DELIVERED, BillingStatus.INVOICED)
    assert not is_completed(FulfillmentStatus.PARTIALLY_DELIVERED, BillingStatus.PAID)


def test_short_close_rewrites_the_order_statuses() -> None:
    lines = [
        SimpleNamespace(
            id=i,
            quantity_ordered=q.ordered,
            quantity_reserved=q.reserved,
            quantity_shipped=q.shipped,
            quantity_delivered=q.delivered,
            quantity_invoiced=q.invoiced,
            quantity_returned=q.returned,
            quantity_credited=q.credited,
        )
        for i, q in enumerate(PARTLY)
    ]
    order = SimpleNamespace(
        fulfillment_status="", billing_status="", settlement="full", short_closed_at=None
    )
    order_lines.refresh(order, lines)
    assert (order.fulfillment_status, order.billing_status) == (
        "partially_delivered",
        "partially_paid",
    )
    order_lines.short_close(order, lines, datetime.now(UTC))
    assert (order.fulfillment_status, order.billing_status) == ("delivered", "paid")


@pytest.mark.parametrize(
    ("status", "lines", "closed", "waiting", "code"),
    [
        ("draft", PARTLY, False, False, "order_not_short_closable"),
        ("cancelled", PARTLY, False, False, "order_not_short_closable"),
        ("rejected", PARTLY, False, False, "order_not_short_closable"),
        ("approved", PARTLY, True, False, "order_short_closed"),
        ("approved", [LineQuantities(D(2), reserved=D(2))], False, False, "order_not_shipped"),
        ("approved", [LineQuantities(D(2), shipped=D(2))], False, False, "order_fully_shipped"),
        ("approved", PARTLY, False, True, "shipment_pending"),
    ],
)
def test_who_may_be_short_closed(status, lines, closed, waiting, code) -> None:
    with pytest.raises(InvalidState) as refused:
        ensure_short_closable(status, lines, closed, waiting)
    assert refused.value.code == code
