"""Review and approval of orders, holds, payments, the approval queue and customer credit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from app.deps import AUTHENTICATED, BusDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.order_review import (
    ApprovalItem,
    ApproveBody,
    CreditRead,
    DecisionRead,
    OrderDecisionRead,
    PaymentUpdate,
    ReasonBody,
    ReleaseBody,
    ReviewRead,
    RuleResultRead,
)
from app.services.order_review import queries
from app.services.order_review.commands import ApproveOrder, HoldOrder, RejectOrder, ReleaseHold

router = APIRouter(prefix="/api/v1/orders", tags=["orders"], dependencies=AUTHENTICATED)
approvals = APIRouter(prefix="/api/v1/approvals", tags=["approvals"], dependencies=AUTHENTICATED)
credit = APIRouter(prefix="/api/v1/customers", tags=["customers"], dependencies=AUTHENTICATED)

Reader = Annotated[Principal, Depends(requires("orders:read"))]
Approver = Annotated[Principal, Depends(requires("orders:approve"))]
Payer = Annotated[Principal, Depends(requires("orders:payment"))]
DECISION_PROBLEMS = problem_responses(401, 403, 404, 409, 422)


def _state(order: object) -> OrderDecisionRead:
    return OrderDecisionRead.model_validate(order)


@router.get(
    "/{order_id}/review",
    response_model=ReviewRead,
    summary="The order's review",
    responses=problem_responses(401, 403, 404),
)
async def review(order_id: uuid.UUID, uow: UowDep, principal: Reader) -> ReviewRead:
    """Each rule's result and reason, the holds, the approvals still to give, and every
    decision taken (who, when, why)."""
    view = await queries.get_review(uow, order_id)
    o, r = view.order, view.review
    return ReviewRead(
        order_id=o.id,
        number=o.number,
        status=o.status,
        holds=o.holds,
        pending_approvals=o.pending_approvals,
        outcome=r.outcome if r else None,
        reviewed_at=r.at if r else None,
        reviewed_by=r.actor if r else None,
        results=[RuleResultRead.model_validate(x) for x in (r.results if r else [])],
        decisions=[DecisionRead.model_validate(d) for d in view.decisions],
    )


@router.post(
    "/{order_id}/approve",
    response_model=OrderDecisionRead,
    summary="Approve an order",
    responses=DECISION_PROBLEMS,
)
async def approve(
    order_id: uuid.UUID, body: ApproveBody, uow: UowDep, bus: BusDep, principal: Approver
) -> OrderDecisionRead:
    """Give the next approval in the order's chain (never on an order you created or edited)."""
    command = ApproveOrder(order_id=order_id, comment=body.comment, principal=principal)
    return _state(await bus.handle(command, uow))


@router.post(
    "/{order_id}/reject",
    response_model=OrderDecisionRead,
    summary="Reject an order",
    responses=DECISION_PROBLEMS,
)
async def reject(
    order_id: uuid.UUID, body: ReasonBody, uow: UowDep, bus: BusDep, principal: Approver
) -> OrderDecisionRead:
    """Refuse an order waiting for approval or on hold, with a reason; it is final."""
    command = RejectOrder(order_id=order_id, reason=body.reason, principal=principal)
    return _state(await bus.handle(command, uow))


@router.post(
    "/{order_id}/hold",
    response_model=OrderDecisionRead,
    summary="Put an order on hold",
    responses=DECISION_PROBLEMS,
)
async def hold(
    order_id: uuid.UUID, body: ReasonBody, uow: UowDep, bus: BusDep, principal: Approver
) -> OrderDecisionRead:
    """Stop a submitted order with a manual hold and a reason."""
    command = HoldOrder(order_id=order_id, reason=body.reason, principal=principal)
    return _state(await bus.handle(command, uow))


@router.post(
    "/{order_id}/release",
    response_model=OrderDecisionRead,
    summary="Release a hold",
    responses=DECISION_PROBLEMS,
)
async def release(
    order_id: uuid.UUID, body: ReleaseBody, uow: UowDep, bus: BusDep, principal: Approver
) -> OrderDecisionRead:
    """Release one hold; which roles may release it depends on the hold (credit: finance)."""
    command = ReleaseHold(
        order_id=order_id, code=body.code, reason=body.reason, principal=principal
    )
    return _state(await bus.handle(command, uow))


@router.post(
    "/{order_id}/payment",
    response_model=OrderDecisionRead,
    summary="Report a payment",
    responses=DECISION_PROBLEMS,
)
async def payment(
    order_id: uuid.UUID, body: PaymentUpdate, uow: UowDep, bus: BusDep, principal: Payer
) -> OrderDecisionRead:
    """Record the payment as it stands (amount paid or authorised so far, in the order's
    currency); an order awaiting payment is released once that covers its total. A key reports
    only for orders of its own channel."""
    return _state(await bus.handle(body.to_command(order_id, principal), uow))


@approvals.get(
    "",
    response_model=Page[ApprovalItem],
    summary="The approval queue",
    responses=problem_responses(401, 403, 422),
)
async def list_(uow: UowDep, principal: Reader, page: PageDep) -> Page[ApprovalItem]:
    """Orders waiting for an approval by one of the caller's roles, oldest first."""
    result = await queries.approvals_queue(uow, principal, limit=page.limit, cursor=page.cursor)
    return Page(
        items=[ApprovalItem.model_validate(o) for o in result.items], next_cursor=result.next_cursor
    )


@credit.get(
    "/{customer_id}/credit",
    response_model=CreditRead,
    summary="A customer's credit position",
    responses=problem_responses(401, 403, 404),
)
async def credit_position(
    customer_id: uuid.UUID,
    uow: UowDep,
    principal: Annotated[Principal, Depends(requires("customers:read"))],
) -> CreditRead:
    """Limit, open receivables (the balance of issued invoices), open orders (committed and
    not invoiced yet), exposure, available credit, and the overdue balance with the days its
    oldest invoice is past due."""
    customer, position = await queries.customer_credit(uow, customer_id)
    return CreditRead(
        customer_id=customer.id,
        currency=customer.currency,
        limit=position.limit,
        open_receivables=position.open_receivables,
        open_orders=position.open_orders,
        exposure=position.exposure,
        available=position.available,
        overdue_amount=position.overdue_amount,
        max_days_overdue=position.max_days_overdue,
    )
