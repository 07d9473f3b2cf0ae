"""Review, approvals, holds, payments and credit."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from app.domain.auth import Principal
from app.domain.orders import OrderStatus, PaymentStatus
from app.domain.payments import PaymentReport
from app.schemas.common import AmountOut, CurrencyCode, Schema
from app.schemas.orders import PaymentAmount
from app.services.order_review.commands import UpdatePayment


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
    """The payment as it stands now: the amount paid or authorised so far (not an increment),
    in the order's currency. Below the order total it is recorded as partial and releases
    nothing."""

    status: PaymentReport
    reference: str | None = Field(default=None, max_length=100)
    amount: PaymentAmount | None = Field(
        default=None, description="Paid or authorised so far; required unless unpaid"
    )
    currency: CurrencyCode | None = Field(
        default=None, description="Must be the order's currency; default: the order's"
    )

    def to_command(self, order_id: uuid.UUID, principal: Principal) -> UpdatePayment:
        return UpdatePayment(
            order_id=order_id,
            status=self.status,
            reference=self.reference,
            amount=self.amount,
            currency=self.currency,
            principal=principal,
        )


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
    max_days_overdue: int = Field(description="Days since the oldest overdue invoice fell due.")
