"""Review, approvals, holds, payments and credit."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from app.domain.limits import numeric_max
from app.domain.orders import OrderStatus, PaymentStatus
from app.schemas.common import AmountOut, Schema


class ApproveBody(Schema):
    comment: str | None = Field(default=None, max_length=1000)


class ReasonBody(Schema):
    reason: str = Field(min_length=1, max_length=1000)


class ReleaseBody(Schema):
    code: str | None = Field(
        default=None, description="The hold to release; may be left out when there is one"
    )
    reason: str = Field(min_length=1, max_length=1000)


class PaymentUpdate(Schema):
    status: PaymentStatus
    reference: str | None = Field(default=None, max_length=100)
    amount: (
        Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=4, le=numeric_max(18, 4))]
        | None
    ) = None


class RuleResultRead(Schema):
    rule: str
    result: str = Field(description="pass, hold, needs_approval or skipped")
    message: str
    code: str | None
    roles: list[str]


class DecisionRead(Schema):
    at: datetime
    actor: str
    action: str
    role: str | None
    hold: str | None
    comment: str | None


class ReviewRead(Schema):
    order_id: uuid.UUID
    number: str
    status: OrderStatus
    holds: list[str]
    pending_approvals: list[str] = Field(description="Roles still to approve, in order")
    outcome: str | None = Field(description="The last review's outcome (None: not reviewed)")
    reviewed_at: datetime | None
    reviewed_by: str | None
    results: list[RuleResultRead]
    decisions: list[DecisionRead]


class OrderDecisionRead(Schema):
    """The order's state after a decision."""

    id: uuid.UUID
    number: str
    status: OrderStatus
    holds: list[str]
    pending_approvals: list[str]
    payment_status: PaymentStatus | None
    version: int


class ApprovalItem(Schema):
    id: uuid.UUID
    number: str
    customer_code: str
    customer_name: str
    total: AmountOut
    currency: str
    requested_delivery_date: date | None
    next_approver: str | None
    pending_approvals: list[str]
    created_by: str
    created_at: datetime


class CreditRead(Schema):
    customer_id: uuid.UUID
    currency: str
    limit: AmountOut
    open_receivables: AmountOut
    open_orders: AmountOut
    exposure: AmountOut
    available: AmountOut
    overdue_amount: AmountOut
