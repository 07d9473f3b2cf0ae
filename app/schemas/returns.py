"""Returns (RMA, 退货) as the API reads and writes them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import Field

from app.domain.after_sales.returns import (
    ReturnMethod,
    ReturnReason,
    ReturnResolution,
    ReturnStatus,
)
from app.domain.auth import Principal
from app.schemas.common import AmountOut, Code, DecimalOut, Quantity, Schema
from app.services.after_sales.returns.commands import (
    RefuseReturn,
    RequestReturn,
    ReturnLineRequest,
)

Note = Annotated[str, Field(max_length=2000)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class ReturnLineCreate(Schema):
    order_line_id: uuid.UUID
    quantity: Quantity = Field(description="How many to return; above zero")
    exchange_sku: Code | None = Field(
        default=None, description="Exchange only: the SKU the customer wants instead"
    )


class ReturnCreate(Schema):
    order_id: uuid.UUID
    lines: list[ReturnLineCreate] = Field(min_length=1, max_length=200)
    reason: ReturnReason
    reason_note: Note | None = None
    resolution: ReturnResolution = Field(description="What the customer asks for")
    method: ReturnMethod = Field(
        description="carrier_label: a return label is bought; pickup: the own fleet collects; "
        "drop_off: the customer brings the goods to the warehouse"
    )
    warehouse: Code | None = Field(
        default=None,
        description="Code of the warehouse the goods come back to (default: the "
        "one that shipped them)",
    )
    case_id: uuid.UUID | None = Field(default=None, description="The service case it belongs to")

    def to_command(self, principal: Principal, idempotency_key: str | None) -> RequestReturn:
        return RequestReturn(
            principal=principal,
            order_id=self.order_id,
            lines=tuple(
                ReturnLineRequest(
                    order_line_id=x.order_line_id, quantity=x.quantity, exchange_sku=x.exchange_sku
                )
                for x in self.lines
            ),
            reason=self.reason.value,
            reason_note=self.reason_note,
            resolution=self.resolution.value,
            method=self.method.value,
            warehouse=self.warehouse,
            case_id=self.case_id,
            idempotency_key=idempotency_key,
        )


class ReturnRefuse(Schema):
    reason: Reason

    def to_command(self, principal: Principal, return_id: uuid.UUID) -> RefuseReturn:
        return RefuseReturn(principal=principal, return_id=return_id, reason=self.reason)


class ReturnLineRead(Schema):
    id: uuid.UUID
    line_no: int
    order_line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    quantity: DecimalOut = Field(description="Requested")
    unit_value: AmountOut = Field(description="The order line's value per unit, tax included")
    exchange_product_id: uuid.UUID | None
    received: DecimalOut | None = Field(description="What arrived; null until received")
    restocked: DecimalOut
    quarantined: DecimalOut
    scrapped: DecimalOut
    released: DecimalOut = Field(description="Released from quarantine back to stock")
    quarantine_scrapped: DecimalOut = Field(description="Scrapped out of quarantine")
    credited: DecimalOut = Field(description="Credited by credit notes")
    difference_reason: str | None
    scrap_reason: str | None


class ReturnRead(Schema):
    id: uuid.UUID
    number: str = Field(description="RMA-YYYY-NNNNNN")
    order_id: uuid.UUID
    customer_id: uuid.UUID
    case_id: uuid.UUID | None
    status: ReturnStatus
    reason: ReturnReason
    reason_note: str | None
    resolution: ReturnResolution
    method: ReturnMethod
    warehouse_id: uuid.UUID
    source: str = Field(description="Who asked: user or api_key")
    value: AmountOut = Field(description="The requested lines' value, tax included")
    currency: str
    approval: str | None = Field(description="automatic or manual, once approved")
    decided_at: datetime | None
    decided_by: str | None
    refusal_reason: str | None
    requested_at: datetime
    requested_by: str
    received_at: datetime | None
    received_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    carrier_id: uuid.UUID | None
    carrier_service: str | None
    tracking_number: str | None
    label_status: str | None
    label_price: AmountOut | None
    tracking_status: str | None
    tracking_status_at: datetime | None
    pickup_on: date | None
    credit_note_id: uuid.UUID | None
    refund_id: uuid.UUID | None
    refunded_amount: AmountOut | None
    resolution_order_id: uuid.UUID | None = Field(description="The replacement or exchange order")
    version: int
    lines: list[ReturnLineRead]
