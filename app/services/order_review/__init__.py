"""Review, approval and holds of orders (审核/审批), and credit control.

The rules are pure (``app.domain.review``); this module gathers their facts inside the order's
transaction, applies the decision, and records who decided what, when and why.

Concurrency: a credit decision takes a row lock on the customer (PostgreSQL) before it reads
the customer's exposure, so two orders of one customer are reviewed one after the other and
cannot both spend the same remaining credit. An order paid in full in advance carries no
credit risk: it skips the credit rule and takes no lock, so a storefront's many retail orders
on one shared customer account never queue behind each other.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime

from app.domain import payments
from app.domain.auth import Principal
from app.domain.credit import CreditPosition
from app.domain.errors import InvalidState, NotFound, PermissionDenied, RuleViolation, Violations
from app.domain.events import (
    Event,
    OrderApprovalRequested,
    OrderApproved,
    OrderEdited,
    OrderHeld,
    OrderRejected,
    OrderReviewed,
    OrderSubmitted,
)
from app.domain.orders import PREPAID_CHANNELS, Channel, OrderStatus, PaymentStatus
from app.domain.review import (
    HoldCode,
    LineFacts,
    ReviewDecision,
    ReviewFacts,
    ReviewPolicy,
    may_release,
    review_order,
)
from app.repositories.customers import Customer
from app.repositories.orders import Order, OrderLine
from app.repositories.pagination import PageResult
from app.repositories.reviews import OrderDecision, OrderReview
from app.schemas.order_review import PaymentUpdate
from app.services.bus import Context
from app.services.common import retrying
from app.services.order_review.policy import load_review_policy
from app.services.recording import jsonable, record_change
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings


def fully_paid(order: Order) -> bool:
    return payments.fully_paid(order.payment_status, order.payment_amount, order.total)


async def _credit(uow: UnitOfWork, order: Order, customer: Customer) -> CreditPosition | None:
    """The customer's credit position, under the customer lock; None when not needed."""
    if fully_paid(order):
        return None
    await uow.reviews.lock_customer(customer.id)
    return await uow.reviews.credit_position(customer, exclude_order_id=order.id)


async def on_order_submitted(event: OrderSubmitted, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: a submitted order is reviewed at once."""
    order = await _load(uow, event.entity_uuid)
    await review(uow, order, await uow.orders.lines(order.id), event.actor, today=event.on)


async def on_order_edited(event: OrderEdited, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: an edited order that had been reviewed is reviewed again."""
    if event.reviewed_before:
        order = await _load(uow, event.entity_uuid)
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
    customer = await uow.customers.get(order.customer_id)
    if customer is None:  # pragma: no cover - a foreign key guarantees it
        raise NotFound("The order's customer no longer exists.")
    credit = await _credit(uow, order, customer) if "credit" in policy.enabled_rules else None
    facts = ReviewFacts(
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
    decision = review_order(facts, policy)
    order.holds = list(decision.holds)
    order.pending_approvals = list(decision.approval_chain)
    _apply_state(order)
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
    _settled(uow, order, actor, reason="review")
    return decision


def _apply_state(order: Order) -> None:
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


def _settled(uow: UnitOfWork, order: Order, actor: str, *, reason: str) -> None:
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


async def _load(uow: UnitOfWork, order_id: uuid.UUID) -> Order:
    order = await uow.orders.get_for_update(order_id)
    if order is None:
        raise NotFound(f"No order with id {order_id}.")
    return order


def _decide(
    uow: UnitOfWork,
    order: Order,
    principal: Principal,
    action: str,
    *,
    role: str | None = None,
    hold: str | None = None,
    comment: str | None = None,
) -> None:
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


async def _recheck_credit_then_settle(
    uow: UnitOfWork,
    order: Order,
    principal: Principal,
    policy: ReviewPolicy,
    settings: Settings,
    reason: str,
) -> None:
    """When nothing is left to release or approve, the order is approved — unless, by now,
    the customer's credit no longer covers it (other orders were approved meanwhile)."""
    if not order.holds and not order.pending_approvals and "credit" in policy.enabled_rules:
        customer = await uow.customers.get(order.customer_id)
        assert customer is not None
        credit = await _credit(uow, order, customer)
        if credit is not None and credit.exposure_with(order.total) > credit.limit:
            order.holds = [HoldCode.CREDIT_LIMIT_EXCEEDED.value]
    _apply_state(order)
    _settled(uow, order, principal.actor, reason=reason)


@retrying
async def approve(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    comment: str | None,
    principal: Principal,
    settings: Settings,
) -> Order:
    async with uow:
        order = await _load(uow, order_id)
        if order.status != OrderStatus.PENDING_APPROVAL or not order.pending_approvals:
            raise InvalidState(
                f"The order is {order.status}, not waiting for approval.",
                code="order_not_pending_approval",
            )
        level = order.pending_approvals[0]
        if level not in principal.roles and "admin" not in principal.roles:
            raise PermissionDenied(f"This approval needs the {level} role.")
        if principal.actor in await uow.reviews.editors(order.id):
            raise PermissionDenied(
                "Nobody approves an order they created or edited.", code="segregation_of_duties"
            )
        policy = await load_review_policy(uow)
        order.pending_approvals = order.pending_approvals[1:]
        _decide(uow, order, principal, "approve", role=level, comment=comment)
        record_change(
            uow,
            principal.actor,
            "order",
            order.id,
            "approval_given",
            {"pending_approvals": [level, *order.pending_approvals]},
            {"pending_approvals": order.pending_approvals, "role": level, "comment": comment},
            event=None,
        )
        await _recheck_credit_then_settle(
            uow, order, principal, policy, settings, reason="approval"
        )
        await uow.commit()
    return order


@retrying
async def reject(uow: UnitOfWork, order_id: uuid.UUID, reason: str, principal: Principal) -> Order:
    """Refuse the order for good (from pending approval or on hold)."""
    async with uow:
        order = await _load(uow, order_id)
        if order.status not in (OrderStatus.PENDING_APPROVAL, OrderStatus.ON_HOLD):
            raise InvalidState(
                f"The order is {order.status}; only orders waiting for approval "
                "or on hold can be rejected.",
                code="order_not_pending_approval",
            )
        policy = await load_review_policy(uow)
        allowed = (
            "admin" in principal.roles
            or (order.next_approver is not None and order.next_approver in principal.roles)
            or any(may_release(h, principal.roles, policy) for h in order.holds)
        )
        if not allowed:
            raise PermissionDenied(
                "Only the order's approver (or whoever may release its holds) can reject it."
            )
        before = {"status": order.status}
        order.status = OrderStatus.REJECTED.value
        order.next_approver = None
        _decide(uow, order, principal, "reject", comment=reason)
        # Its reservations are released by a reaction.
        uow.record(
            OrderRejected(
                actor=principal.actor,
                entity_id=order.id,
                before=before,
                after={"status": order.status, "reason": reason},
            )
        )
        await uow.commit()
    return order


@retrying
async def hold(uow: UnitOfWork, order_id: uuid.UUID, reason: str, principal: Principal) -> Order:
    """Put a manual hold on an order that has been submitted and not yet finished."""
    async with uow:
        order = await _load(uow, order_id)
        if order.status in (OrderStatus.DRAFT, OrderStatus.REJECTED, OrderStatus.CANCELLED):
            raise InvalidState(
                f"A {order.status} order cannot be put on hold.", code="order_not_holdable"
            )
        policy = await load_review_policy(uow)
        if not may_release(HoldCode.MANUAL, principal.roles, policy):
            raise PermissionDenied("Your role may not place or release manual holds.")
        before = {"status": order.status, "holds": list(order.holds)}
        if HoldCode.MANUAL.value not in order.holds:
            order.holds = [*order.holds, HoldCode.MANUAL.value]
        _apply_state(order)
        _decide(uow, order, principal, "hold", hold=HoldCode.MANUAL.value, comment=reason)
        record_change(
            uow,
            principal.actor,
            "order",
            order.id,
            "held",
            before,
            {"status": order.status, "holds": order.holds, "reason": reason},
            event="order.held",
        )
        await uow.commit()
    return order


@retrying
async def release(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    code: str | None,
    reason: str,
    principal: Principal,
    settings: Settings,
) -> Order:
    """Release one hold (``code``; the only one when left out), gated by the hold's type."""
    async with uow:
        order = await _load(uow, order_id)
        if not order.holds:
            raise InvalidState("The order has no hold to release.", code="order_not_on_hold")
        if code is None:
            if len(order.holds) > 1:
                raise RuleViolation.on(
                    "code", "required", f"Name the hold to release: {', '.join(order.holds)}."
                )
            code = order.holds[0]
        if code not in order.holds:
            raise RuleViolation.on("code", "held", f"The order has no '{code}' hold.")
        policy = await load_review_policy(uow)
        if not may_release(code, principal.roles, policy):
            raise PermissionDenied(f"Your role may not release a '{code}' hold.")
        await _release(uow, order, code, reason, principal, policy, settings)
        await uow.commit()
    return order


async def _release(
    uow: UnitOfWork,
    order: Order,
    code: str,
    reason: str,
    principal: Principal,
    policy: ReviewPolicy,
    settings: Settings,
) -> None:
    before = {"status": order.status, "holds": list(order.holds)}
    order.holds = [h for h in order.holds if h != code]
    _decide(uow, order, principal, "release", hold=code, comment=reason)
    record_change(
        uow,
        principal.actor,
        "order",
        order.id,
        "released",
        before,
        {"holds": order.holds, "hold": code, "reason": reason},
        event=None,
    )
    if not order.holds:
        await _recheck_credit_then_settle(uow, order, principal, policy, settings, reason="release")


@retrying
async def update_payment(
    uow: UnitOfWork,
    order_id: uuid.UUID,
    report: PaymentUpdate,
    principal: Principal,
    settings: Settings,
) -> Order:
    """Record a payment report. It stands as paid or authorised only when its amount covers
    the order total; below it, it is recorded as partial and the order keeps waiting. An order
    held for payment is released once it is paid or authorised in full."""
    async with uow:
        order = await _load(uow, order_id)
        payments.ensure_may_report(principal, order.channel)
        if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
            raise InvalidState(f"The order is {order.status}.", code="order_closed")
        violations = Violations()
        payments.check_report(
            report.status,
            report.amount,
            report.currency,
            order_currency=order.currency,
            violations=violations,
        )
        violations.raise_if_any("The payment does not fit the order.")
        before = {
            "payment_status": order.payment_status,
            "payment_reference": order.payment_reference,
            "payment_amount": jsonable(order.payment_amount),
        }
        status = payments.standing(report.status, report.amount, order.total)
        order.payment_status = status
        order.payment_reference = report.reference
        order.payment_amount = report.amount
        record_change(
            uow,
            principal.actor,
            "order",
            order.id,
            "payment_updated",
            before,
            {
                "payment_status": status,
                "payment_reference": report.reference,
                "payment_amount": jsonable(report.amount),
                "reported_status": report.status.value,
                "covers_total": payments.covers(report.amount, order.total),
            },
            event="order.payment_updated",
        )
        if status is PaymentStatus.PAID:
            await uow.reservations.clear_expiry(order.id)
        if status in payments.IN_PLACE and HoldCode.AWAITING_PAYMENT.value in order.holds:
            policy = await load_review_policy(uow)
            await _release(
                uow,
                order,
                HoldCode.AWAITING_PAYMENT.value,
                f"payment {status}",
                principal,
                policy,
                settings,
            )
        await uow.commit()
    return order


@dataclass(frozen=True)
class ReviewView:
    order: Order
    review: OrderReview | None
    decisions: list[OrderDecision]


async def get_review(uow: UnitOfWork, order_id: uuid.UUID) -> ReviewView:
    async with uow:
        order = await uow.orders.get(order_id)
        if order is None:
            raise NotFound(f"No order with id {order_id}.")
        return ReviewView(
            order, await uow.reviews.latest_review(order.id), await uow.reviews.decisions(order.id)
        )


async def approvals_queue(
    uow: UnitOfWork, principal: Principal, *, limit: int, cursor: str | None
) -> PageResult[Order]:
    roles = None if "admin" in principal.roles else list(principal.roles)
    async with uow:
        return await uow.reviews.approvals_queue(roles, limit=limit, cursor=cursor)


async def customer_credit(
    uow: UnitOfWork, customer_id: uuid.UUID
) -> tuple[Customer, CreditPosition]:
    async with uow:
        customer = await uow.customers.get(customer_id)
        if customer is None:
            raise NotFound(f"No customer with id {customer_id}.")
        return customer, await uow.reviews.credit_position(customer)
