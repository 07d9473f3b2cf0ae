"""Holds: a person puts a manual hold on an order, or releases one of its holds; with none
left the order is settled again (its credit re-checked)."""

from __future__ import annotations

from app.domain.auth import Principal
from app.domain.errors import InvalidState, PermissionDenied, RuleViolation
from app.domain.events import OrderHeld, OrderHoldReleased
from app.domain.orders import OrderStatus
from app.domain.review import HoldCode, ReviewPolicy, may_release
from app.repositories.orders import Order
from app.services.bus import Context
from app.services.common import retrying
from app.services.order_review.commands import HoldOrder, ReleaseHold
from app.services.order_review.policy import load_review_policy
from app.services.order_review.review import apply_state, decide, recheck_credit_then_settle
from app.services.unit_of_work import UnitOfWork


@retrying
async def hold_order(cmd: HoldOrder, uow: UnitOfWork, ctx: Context) -> Order:
    """Put a manual hold on an order that has been submitted and not yet finished."""
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        if order.status in (OrderStatus.DRAFT, OrderStatus.REJECTED, OrderStatus.CANCELLED):
            raise InvalidState(
                f"A {order.status} order cannot be put on hold.", code="order_not_holdable"
            )
        policy = await load_review_policy(uow)
        if not may_release(HoldCode.MANUAL, cmd.principal.roles, policy):
            raise PermissionDenied("Your role may not place or release manual holds.")
        before = {"status": order.status, "holds": list(order.holds)}
        if HoldCode.MANUAL.value not in order.holds:
            order.holds = [*order.holds, HoldCode.MANUAL.value]
        apply_state(order)
        decide(uow, order, cmd.principal, "hold", hold=HoldCode.MANUAL.value, comment=cmd.reason)
        uow.record(
            OrderHeld(
                actor=cmd.principal.actor,
                entity_id=order.id,
                before=before,
                after={"status": order.status, "holds": order.holds, "reason": cmd.reason},
            )
        )
        await uow.commit()
    return order


@retrying
async def release_hold(cmd: ReleaseHold, uow: UnitOfWork, ctx: Context) -> Order:
    """Release one hold (``code``; the only one when left out), gated by the hold's type."""
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        code = _hold_to_release(order, cmd.code)
        policy = await load_review_policy(uow)
        if not may_release(code, cmd.principal.roles, policy):
            raise PermissionDenied(f"Your role may not release a '{code}' hold.")
        await release(uow, order, code, cmd.reason, cmd.principal, policy)
        await uow.commit()
    return order


def _hold_to_release(order: Order, code: str | None) -> str:
    if not order.holds:
        raise InvalidState("The order has no hold to release.", code="order_not_on_hold")
    if code is None:
        if len(order.holds) > 1:
            raise RuleViolation.on(
                "code", "required", f"Name the hold to release: {', '.join(order.holds)}."
            )
        return order.holds[0]
    if code not in order.holds:
        raise RuleViolation.on("code", "held", f"The order has no '{code}' hold.")
    return code


async def release(
    uow: UnitOfWork,
    order: Order,
    code: str,
    reason: str,
    principal: Principal,
    policy: ReviewPolicy,
) -> None:
    """Lift the hold ``code`` of a loaded order; with none left, settle it (credit re-checked)."""
    before = {"status": order.status, "holds": list(order.holds)}
    order.holds = [h for h in order.holds if h != code]
    decide(uow, order, principal, "release", hold=code, comment=reason)
    uow.record(
        OrderHoldReleased(
            actor=principal.actor,
            entity_id=order.id,
            before=before,
            after={"holds": order.holds, "hold": code, "reason": reason},
        )
    )
    if not order.holds:
        await recheck_credit_then_settle(uow, order, principal, policy, reason="release")
