"""Reading payments (with their applications and what is left unapplied) and refunds."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.billing.refunds import shown_unapplied
from app.domain.errors import NotFound
from app.repositories.pagination import PageResult
from app.repositories.payments import Payment, PaymentApplication, PaymentFilter, Refund
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PaymentView:
    payment: Payment
    applications: list[PaymentApplication]
    unapplied: Decimal


@dataclass(frozen=True)
class PaymentResult:
    """A command's answer: the payment, and whether this request created it."""

    view: PaymentView
    created: bool = True


@dataclass(frozen=True)
class RefundResult:
    refund: Refund
    created: bool = True


async def load_view(uow: UnitOfWork, payment: Payment) -> PaymentView:
    """The view of a payment (inside an open unit of work)."""
    p = payment
    return PaymentView(
        payment=p,
        applications=await uow.payments.applications_of_payment(p.id),
        unapplied=shown_unapplied(p.status, p.amount, p.amount_applied, p.amount_refunded),
    )


async def get_payment(uow: UnitOfWork, payment_id: uuid.UUID) -> PaymentView:
    async with uow:
        return await load_view(uow, await uow.payments.get_or_raise(payment_id))


async def list_payments(
    uow: UnitOfWork,
    *,
    customer_id: uuid.UUID | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[PaymentView]:
    """Payments, newest first, by customer or status."""
    f = PaymentFilter(customer_id=customer_id, status=status)
    async with uow:
        page = await uow.payments.page(f, limit=limit, cursor=cursor)
        views = [await load_view(uow, p) for p in page.items]
    return PageResult(items=views, next_cursor=page.next_cursor)


async def get_refund(uow: UnitOfWork, refund_id: uuid.UUID) -> Refund:
    async with uow:
        refund = await uow.payments.refund(refund_id)
        if refund is None:
            raise NotFound(f"No refund with id {refund_id}.")
        return refund
