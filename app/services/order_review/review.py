"""Review of orders (审核): the rules run on submit and on an edit, and what every decision
shares — the order's state from its holds and approvals, the announced outcome, the credit
facts and the credit re-check.

The rules are pure (``app.domain.review``); this module gathers their facts inside the order's
transaction, applies the decision, and records who decided what, when and why.

Concurrency: a credit decision takes a row lock on the customer (PostgreSQL) before it reads
the customer's exposure, so two orders of one customer are reviewed one after the other and
cannot both spend the same remaining credit. An order paid in full in advance carries no
credit risk: it skips the credit rule and takes no lock, so a storefront's many retail orders
on one shared customer account never queue behind each other.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime

from app.domain import payments
from app.domain.auth import Principal
from app.domain.credit import CreditPosition
from app.domain.events import (
    Event,
    OrderApprovalRequested,
    OrderApproved,
    OrderEdited,
    OrderHeld,
    OrderReviewed,
    OrderSubmitted,
)
from app.domain.orders import PREPAID_CHANNELS, Channel, OrderStatus
from app.domain.review import (
    LineFacts,
    ReviewDecision,
    ReviewFacts,
    ReviewPolicy,
    credit_holds,
    review_order,
)
from app.repositories.base import jsonable
from app.repositories.customers import Customer
from app.repositories.orders import Order, OrderLine
from app.repositories.reviews import OrderDecision, OrderReview
from app.services.bus import Context
from app.services.order_review.policy import load_review_policy
from app.services.unit_of_work import UnitOfWork


async def on_order_submitted(event: OrderSubmitted, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: a submitted order is reviewed at once."""
    order = await uow.orders.get_for_update_or_raise(event.entity_uuid)
    await review(uow, order, await uow.orders.lines(order.id), event.actor, today=event.on)


async def on_order_edited(event: OrderEdited, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: an edited order that had been reviewed is reviewed again."""
    if event.reviewed_before:
        order = await uow.orders.get_for_update_or_raise(event.entity_uuid)
        await review(uow, order, await uow.orders.lines(order.id), event.actor, today=event.on)


async def review(
    uow: UnitOfWork,
    order: Order,
    lines: list[OrderLine],
    actor: str,
    *,
    today: date | None = None,
) -> ReviewDecision:
    """Run the review rules on a submitted (or edited) order and apply the outcome."""
    policy = await load_review_policy(uow)
    customer = await uow.customers.get_or_raise(order.customer_id)
    credit = await credit_facts(uow, order, customer) if "credit" in policy.enabled_rules else None
    decision = review_order(_facts(order, lines, customer, credit, today), policy)
    order.holds = list(decision.holds)
    order.pending_approvals = list(decision.approval_chain)
    apply_state(order)
    _keep_review(uow, order, decision, actor)
    settle(uow, order, actor, reason="review")
    return decision


def _facts(
    order: Order,
    lines: list[OrderLine],
    customer: Customer,
    credit: CreditPosition | None,
    today: date | None,
) -> ReviewFacts:
    return ReviewFacts(
        today=today or datetime.now(UTC).date(),
        has_ship_to=bool(order.ship_to),
        lines=tuple(LineFacts(x.sku, x.below_floor, x.discount_percent) for x in lines),
        requested_delivery_date=order.requested_delivery_date,
        customer_status=customer.status,
        prepaid_channel=Channel(order.channel) in PREPAID_CHANNELS,
        payment_status=payments.standing(order.payment_status, order.payment_amount, order.total),
        fully_paid=fully_paid(order),
        order_discount_percent=order.discount_percent,
        total=order.total,
        credit=credit,
    )


def _keep_review(uow: UnitOfWork, order: Order, decision: ReviewDecision, actor: str) -> None:
    """Store every rule's result and record that the order was reviewed."""
    uow.reviews.add_review(
        OrderReview(
            order_id=order.id,
            actor=actor,
            outcome=decision.outcome.value,
            results=[jsonable(asdict(r)) for r in decision.results],
            holds=list(decision.holds),
            approval_chain=list(decision.approval_chain),
        )
    )
    uow.record(
        OrderReviewed(
            actor=actor,
            entity_id=order.id,
            after={
                "outcome": decision.outcome.value,
                "holds": order.holds,
                "approval_chain": order.pending_approvals,
            },
        )
    )


def fully_paid(order: Order) -> bool:
    return payments.fully_paid(order.payment_status, order.payment_amount, order.total)


async def credit_facts(uow: UnitOfWork, order: Order, customer: Customer) -> CreditPosition | None:
    """The customer's credit position, under the customer lock; None when not needed."""
    if fully_paid(order):
        return None
    await uow.reviews.lock_customer(customer.id)
    return await uow.reviews.credit_position(customer, exclude_order_id=order.id)


def apply_state(order: Order) -> None:
    """Status from the holds and the approvals still to give."""
    if order.holds:
        order.status = OrderStatus.ON_HOLD.value
    elif order.pending_approvals:
        order.status = OrderStatus.PENDING_APPROVAL.value
    else:
        order.status = OrderStatus.APPROVED.value
    order.next_approver = (
        order.pending_approvals[0]
        if order.pending_approvals and order.status == OrderStatus.PENDING_APPROVAL
        else None
    )


OUTCOMES: dict[str, type[Event]] = {
    OrderStatus.APPROVED.value: OrderApproved,
    OrderStatus.ON_HOLD.value: OrderHeld,
    OrderStatus.PENDING_APPROVAL.value: OrderApprovalRequested,
}


def settle(uow: UnitOfWork, order: Order, actor: str, *, reason: str) -> None:
    """Announce the outcome; an approved order is allocated at once (a reaction)."""
    outcome = OUTCOMES.get(order.status)
    if outcome is None:
        return
    payload = {
        "number": order.number,
        "status": order.status,
        "holds": order.holds,
        "pending_approvals": order.pending_approvals,
        "total": str(order.total),
        "currency": order.currency,
        "customer_id": str(order.customer_id),
        "reason": reason,
    }
    uow.record(outcome(actor=actor, entity_id=order.id, after=payload))


async def recheck_credit_then_settle(
    uow: UnitOfWork, order: Order, principal: Principal, policy: ReviewPolicy, *, reason: str
) -> None:
    """When nothing is left to release or approve, the order is approved — unless, by now, the
    credit rule holds it (other orders were approved meanwhile, or receivables fell overdue):
    the same rule review runs (``app.domain.review.credit_holds``)."""
    if not order.holds and not order.pending_approvals and "credit" in policy.enabled_rules:
        customer = await uow.customers.get_or_raise(order.customer_id)
        credit = await credit_facts(uow, order, customer)
        held = credit_holds(credit, order.total, policy)
        if held:
            order.holds = list(held)
    apply_state(order)
    settle(uow, order, principal.actor, reason=reason)


def decide(
    uow: UnitOfWork,
    order: Order,
    principal: Principal,
    action: str,
    *,
    role: str | None = None,
    hold: str | None = None,
    comment: str | None = None,
) -> None:
    """Keep a person's decision on the order (shown in its review)."""
    uow.reviews.add_decision(
        OrderDecision(
            order_id=order.id,
            actor=principal.actor,
            action=action,
            role=role,
            hold=hold,
            comment=comment,
        )
    )
