"""Payments (结算) and refunds: money received, applied to invoices, unapplied, reversed and
paid back."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.deps import AUTHENTICATED, BusDep, IdempotencyKey, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.domain.billing.settlement import PaymentMethod, PaymentState
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.payments import (
    ApplicationRead,
    ApplicationsCreate,
    PaymentCreate,
    PaymentRead,
    PaymentReverse,
    RefundCreate,
    RefundRead,
)
from app.services.billing import payment_queries as queries
from app.services.billing.payment_queries import PaymentResult, PaymentView, RefundResult
from app.services.billing.payments_commands import ReversePayment, UnapplyPayment

router = APIRouter(prefix="/api/v1/payments", tags=["payments"], dependencies=AUTHENTICATED)
refunds = APIRouter(prefix="/api/v1/refunds", tags=["refunds"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("payments:read"))]
Writer = Annotated[Principal, Depends(requires("payments:write"))]


def payment_read(view: PaymentView) -> PaymentRead:
    p = view.payment
    return PaymentRead(
        id=p.id,
        number=p.number,
        customer_id=p.customer_id,
        order_id=p.order_id,
        amount=p.amount,
        currency=p.currency,
        method=PaymentMethod(p.method),
        reference=p.reference,
        received_on=p.received_on,
        status=PaymentState(p.status),
        amount_applied=p.amount_applied,
        amount_refunded=p.amount_refunded,
        unapplied=view.unapplied,
        reversed_at=p.reversed_at,
        reversal_reason=p.reversal_reason,
        created_at=p.created_at,
        created_by=p.created_by,
        applications=[ApplicationRead.model_validate(a) for a in view.applications],
    )


@router.post(
    "",
    response_model=PaymentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Receive a payment",
    responses={
        200: {
            "model": PaymentRead,
            "description": "The payment already existed under this Idempotency-Key",
        },
        **problem_responses(401, 403, 409, 422),
    },
)
async def create(
    body: PaymentCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> PaymentRead:
    """Money received from a customer, applied to invoices as listed, oldest due first
    (default) or not at all; what is left is the customer's unapplied credit."""
    result: PaymentResult = await bus.handle(body.to_command(principal, idempotency_key), uow)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/api/v1/payments/{result.view.payment.id}"
    return payment_read(result.view)


@router.get(
    "",
    response_model=Page[PaymentRead],
    summary="List payments",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    customer_id: uuid.UUID | None = None,
    status_: Annotated[PaymentState | None, Query(alias="status")] = None,
) -> Page[PaymentRead]:
    """Payments, newest first, by customer or status."""
    result = await queries.list_payments(
        uow,
        customer_id=customer_id,
        status=status_.value if status_ else None,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=[payment_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{payment_id}",
    response_model=PaymentRead,
    summary="Get a payment",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(payment_id: uuid.UUID, uow: UowDep, principal: Reader) -> PaymentRead:
    """One payment with its applications and what is left unapplied."""
    return payment_read(await queries.get_payment(uow, payment_id))


@router.post(
    "/{payment_id}/applications",
    response_model=PaymentRead,
    summary="Apply more of a payment",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def apply(
    payment_id: uuid.UUID, body: ApplicationsCreate, bus: BusDep, uow: UowDep, principal: Writer
) -> PaymentRead:
    """Apply what the payment has left: to the listed invoices, or oldest due first."""
    return payment_read(await bus.handle(body.to_command(principal, payment_id), uow))


@router.post(
    "/{payment_id}/applications/{application_id}/unapply",
    response_model=PaymentRead,
    summary="Unapply an application",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def unapply(
    payment_id: uuid.UUID,
    application_id: uuid.UUID,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
) -> PaymentRead:
    """Take an application off its invoice: the invoice owes it again, the payment has it back."""
    cmd = UnapplyPayment(principal=principal, payment_id=payment_id, application_id=application_id)
    return payment_read(await bus.handle(cmd, uow))


@router.post(
    "/{payment_id}/reverse",
    response_model=PaymentRead,
    summary="Reverse a payment (bounced)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def reverse(
    payment_id: uuid.UUID, body: PaymentReverse, bus: BusDep, uow: UowDep, principal: Writer
) -> PaymentRead:
    """A bounced transfer: every application is unapplied (re-opening what it paid), the
    money is posted out, and the payment stays reversed."""
    cmd = ReversePayment(principal=principal, payment_id=payment_id, reason=body.reason)
    return payment_read(await bus.handle(cmd, uow))


@refunds.post(
    "",
    response_model=RefundRead,
    status_code=status.HTTP_201_CREATED,
    summary="Refund unapplied credit",
    responses={
        200: {
            "model": RefundRead,
            "description": "The refund already existed under this Idempotency-Key",
        },
        **problem_responses(401, 403, 404, 409, 422),
    },
)
async def refund(
    body: RefundCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> RefundRead:
    """Pay back part of a payment's or a credit note's unapplied credit, never more."""
    result: RefundResult = await bus.handle(body.to_command(principal, idempotency_key), uow)
    if not result.created:
        response.status_code = status.HTTP_200_OK
    response.headers["Location"] = f"/api/v1/refunds/{result.refund.id}"
    return RefundRead.model_validate(result.refund)


@refunds.get(
    "/{refund_id}",
    response_model=RefundRead,
    summary="Get a refund",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_refund(refund_id: uuid.UUID, uow: UowDep, principal: Reader) -> RefundRead:
    """One refund."""
    return RefundRead.model_validate(await queries.get_refund(uow, refund_id))
