"""Payments (结算) and refunds: what finance sends and reads."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.domain.billing.refunds import ApplyStrategy
from app.domain.billing.settlement import PaymentMethod, PaymentState
from app.domain.limits import MONEY_MAX, numeric_max
from app.schemas.common import AmountOut, CurrencyCode, DecimalOut, Schema
from app.services.billing.payments_commands import (
    ApplicationRequest,
    ApplyPayment,
    ReceivePayment,
    RefundCredit,
)

# Signed on purpose: a zero or negative amount reaches the domain rule (``positive``).
Amount = Annotated[Decimal, Field(max_digits=18, decimal_places=4, le=MONEY_MAX, ge=-MONEY_MAX)]
Rate = Annotated[
    Decimal,
    Field(gt=0, max_digits=18, decimal_places=8, le=numeric_max(18, 8)),
]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


def _today() -> date:
    return datetime.now(UTC).date()


class ApplicationCreate(Schema):
    invoice_id: uuid.UUID
    amount: Amount = Field(description="In the payment's currency")
    rate: Rate | None = Field(
        default=None,
        description="Invoice currency per unit of the payment's; required across currencies",
    )

    def to_request(self) -> ApplicationRequest:
        return ApplicationRequest(invoice_id=self.invoice_id, amount=self.amount, rate=self.rate)


class ApplicationsCreate(Schema):
    """Apply more of a payment: an explicit list, or (without one) by ``apply``."""

    applications: list[ApplicationCreate] = Field(default_factory=list, max_length=200)
    apply: ApplyStrategy = Field(
        default=ApplyStrategy.OLDEST_DUE_FIRST,
        description="Without applications: oldest_due_first or none",
    )

    def to_command(self, principal: Principal, payment_id: uuid.UUID) -> ApplyPayment:
        return ApplyPayment(
            principal=principal,
            payment_id=payment_id,
            applications=tuple(a.to_request() for a in self.applications),
            apply=self.apply,
        )


class PaymentCreate(Schema):
    """Money received from a customer, applied to invoices explicitly (``applications``) or
    by ``apply``. What is not applied is the customer's unapplied credit."""

    customer_id: uuid.UUID
    amount: Amount
    currency: CurrencyCode
    method: PaymentMethod
    reference: Reference | None = None
    received_on: date = Field(default_factory=_today, description="Default: today")
    applications: list[ApplicationCreate] = Field(default_factory=list, max_length=200)
    apply: ApplyStrategy = Field(
        default=ApplyStrategy.OLDEST_DUE_FIRST,
        description="Without applications: oldest_due_first (default) or none",
    )

    def to_command(self, principal: Principal, idempotency_key: str | None) -> ReceivePayment:
        return ReceivePayment(
            principal=principal,
            idempotency_key=idempotency_key,
            customer_id=self.customer_id,
            amount=self.amount,
            currency=self.currency,
            method=self.method,
            reference=self.reference,
            received_on=self.received_on,
            applications=tuple(a.to_request() for a in self.applications),
            apply=self.apply,
        )


class ApplicationRead(Schema):
    id: uuid.UUID
    invoice_id: uuid.UUID
    amount: AmountOut = Field(description="In the payment's currency")
    applied: AmountOut = Field(description="In the invoice's currency")
    rate: DecimalOut | None
    applied_at: datetime
    applied_by: str
    reversed_at: datetime | None
    reversed_by: str | None


class PaymentRead(Schema):
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    order_id: uuid.UUID | None = Field(description="The prepaid order it pays, if any")
    amount: AmountOut
    currency: str
    method: PaymentMethod
    reference: str | None
    received_on: date
    status: PaymentState
    amount_applied: AmountOut
    amount_refunded: AmountOut
    unapplied: AmountOut = Field(description="The customer's credit left on it")
    reversed_at: datetime | None
    reversal_reason: str | None
    created_at: datetime
    created_by: str
    applications: list[ApplicationRead]


class PaymentReverse(Schema):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class RefundCreate(Schema):
    """Pay back unapplied credit: of a payment or of a credit note (exactly one)."""

    payment_id: uuid.UUID | None = None
    credit_note_id: uuid.UUID | None = None
    amount: Amount
    method: PaymentMethod
    reference: Reference | None = None
    refunded_on: date = Field(default_factory=_today, description="Default: today")

    def to_command(self, principal: Principal, idempotency_key: str | None) -> RefundCredit:
        return RefundCredit(
            principal=principal,
            idempotency_key=idempotency_key,
            payment_id=self.payment_id,
            credit_note_id=self.credit_note_id,
            amount=self.amount,
            method=self.method,
            reference=self.reference,
            refunded_on=self.refunded_on,
        )


class RefundRead(Schema):
    id: uuid.UUID
    number: str
    customer_id: uuid.UUID
    payment_id: uuid.UUID | None
    credit_note_id: uuid.UUID | None
    amount: AmountOut
    currency: str
    method: PaymentMethod
    reference: str | None
    refunded_on: date
    created_at: datetime
    created_by: str
