"""How the API shows an order: its lines, payment, totals, summaries and timeline."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field, computed_field

from app.domain.orders import (
    BillingStatus,
    Channel,
    FulfillmentStatus,
    OrderStatus,
    PaymentStatus,
    is_completed,
)
from app.schemas.common import (
    AmountOut,
    DecimalOut,
    DeliveryAddress,
    Schema,
)
from app.services.orders.queries import OrderView


class OrderLineRead(Schema):
    id: uuid.UUID
    line_no: int
    sku: str
    name: str
    ordered: DecimalOut
    reserved: DecimalOut
    shipped: DecimalOut
    delivered: DecimalOut
    invoiced: DecimalOut
    returned: DecimalOut
    credited: DecimalOut = Field(
        description="What credit notes for returned goods took back of the invoiced quantity"
    )
    unit_price: AmountOut
    price_source: str
    below_floor: bool
    discount_percent: DecimalOut
    tax_rate: DecimalOut
    gross_before_discount: AmountOut
    discount: AmountOut
    net: AmountOut
    tax: AmountOut
    total: AmountOut


class OrderPaymentRead(Schema):
    status: PaymentStatus | None
    reference: str | None
    amount: AmountOut | None


class OrderTotals(Schema):
    gross_before_discount: AmountOut
    discount: AmountOut
    net: AmountOut
    tax: AmountOut
    total: AmountOut


class OrderRead(Schema):
    id: uuid.UUID
    number: str
    channel: Channel
    external_ref: str | None
    status: OrderStatus
    fulfillment_status: FulfillmentStatus
    billing_status: BillingStatus
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    ship_to: DeliveryAddress
    requested_delivery_date: date | None
    currency: str
    priority: int
    notes: str | None
    discount_percent: DecimalOut
    payment: OrderPaymentRead
    requires_price_approval: bool
    holds: list[str] = Field(description="Holds in force (see GET /orders/{id}/review)")
    pending_approvals: list[str] = Field(description="Roles that must still approve, in order")
    totals: OrderTotals
    lines: list[OrderLineRead]
    created_by: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    short_closed_at: datetime | None
    short_close_reason: str | None
    version: int

    @computed_field(  # type: ignore[prop-decorator]
        description="Derived: everything it will ship delivered (all ordered, or all shipped "
        "once short-closed) and paid"
    )
    @property
    def completed(self) -> bool:
        return is_completed(self.fulfillment_status, self.billing_status)


class OrderSummary(Schema):
    """An order in a list (no lines)."""

    id: uuid.UUID
    number: str
    channel: Channel
    external_ref: str | None
    status: OrderStatus
    fulfillment_status: FulfillmentStatus
    billing_status: BillingStatus
    customer_id: uuid.UUID
    customer_code: str
    customer_name: str
    requested_delivery_date: date | None
    currency: str
    total: AmountOut
    priority: int
    created_at: datetime

    @computed_field(  # type: ignore[prop-decorator]
        description="Derived: delivered (all it will ship) and paid"
    )
    @property
    def completed(self) -> bool:
        return is_completed(self.fulfillment_status, self.billing_status)


class OrderEvent(Schema):
    at: datetime
    actor: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _lines(view: OrderView) -> list[OrderLineRead]:
    return [
        OrderLineRead(
            id=x.id,
            line_no=x.line_no,
            sku=x.sku,
            name=x.name,
            ordered=x.quantity_ordered,
            reserved=x.quantity_reserved,
            shipped=x.quantity_shipped,
            delivered=x.quantity_delivered,
            invoiced=x.quantity_invoiced,
            returned=x.quantity_returned,
            credited=x.quantity_credited,
            unit_price=x.unit_price,
            price_source=x.price_source,
            below_floor=x.below_floor,
            discount_percent=x.discount_percent,
            tax_rate=x.tax_rate,
            gross_before_discount=x.gross_before_discount,
            discount=x.discount,
            net=x.net,
            tax=x.tax,
            total=x.total,
        )
        for x in view.lines
    ]


def order_read(view: OrderView) -> OrderRead:
    """An order as the API shows it, from what the order queries read."""
    o = view.order
    return OrderRead(
        id=o.id,
        number=o.number,
        channel=Channel(o.channel),
        external_ref=o.external_ref,
        status=OrderStatus(o.status),
        fulfillment_status=FulfillmentStatus(o.fulfillment_status),
        billing_status=BillingStatus(o.billing_status),
        customer_id=o.customer_id,
        customer_code=o.customer_code,
        customer_name=o.customer_name,
        ship_to=o.ship_to,
        requested_delivery_date=o.requested_delivery_date,
        currency=o.currency,
        priority=o.priority,
        notes=o.notes,
        discount_percent=o.discount_percent,
        payment=OrderPaymentRead(
            status=o.payment_status, reference=o.payment_reference, amount=o.payment_amount
        ),
        requires_price_approval=o.requires_price_approval,
        holds=o.holds,
        pending_approvals=o.pending_approvals,
        totals=OrderTotals(
            gross_before_discount=o.gross_before_discount,
            discount=o.discount_total,
            net=o.net_total,
            tax=o.tax_total,
            total=o.total,
        ),
        lines=_lines(view),
        created_by=o.created_by,
        created_at=o.created_at,
        updated_at=o.updated_at,
        submitted_at=o.submitted_at,
        cancelled_at=o.cancelled_at,
        cancel_reason=o.cancel_reason,
        short_closed_at=o.short_closed_at,
        short_close_reason=o.short_close_reason,
        version=o.version,
    )
