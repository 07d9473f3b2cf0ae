"""Commands of the payments API: receive, apply, unapply, reverse, refund."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.auth import Principal
from app.domain.billing.refunds import ApplyStrategy
from app.domain.billing.settlement import PaymentMethod


@dataclass(frozen=True)
class ApplicationRequest:
    """Apply ``amount`` (the payment's currency) to an invoice, at ``rate`` across currencies."""

    invoice_id: uuid.UUID
    amount: Decimal
    rate: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class ReceivePayment:
    """Money received from a customer, applied explicitly, oldest due first, or not at all."""

    principal: Principal
    idempotency_key: str | None
    customer_id: uuid.UUID
    amount: Decimal
    currency: str
    method: PaymentMethod
    reference: str | None
    received_on: date
    applications: tuple[ApplicationRequest, ...] = ()
    apply: ApplyStrategy = ApplyStrategy.OLDEST_DUE_FIRST


@dataclass(frozen=True, kw_only=True)
class ApplyPayment:
    """Apply more of a payment: the explicit list, or (empty) by ``apply``."""

    principal: Principal
    payment_id: uuid.UUID
    applications: tuple[ApplicationRequest, ...] = ()
    apply: ApplyStrategy = ApplyStrategy.OLDEST_DUE_FIRST


@dataclass(frozen=True, kw_only=True)
class UnapplyPayment:
    principal: Principal
    payment_id: uuid.UUID
    application_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReversePayment:
    """A bounced transfer: everything it paid is re-opened and the money goes out again."""

    principal: Principal
    payment_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class RefundCredit:
    """Pay back unapplied credit of a payment or of a credit note (exactly one)."""

    principal: Principal
    payment_id: uuid.UUID | None
    credit_note_id: uuid.UUID | None
    amount: Decimal
    method: PaymentMethod
    reference: str | None
    refunded_on: date
    idempotency_key: str | None = None
