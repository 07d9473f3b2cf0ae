"""Approvals (审批): a person gives the next approval of an order's chain, or rejects it."""

from __future__ import annotations

from app.domain.auth import Principal
from app.domain.errors import InvalidState, PermissionDenied
from app.domain.events import OrderApprovalGiven, OrderRejected
from app.domain.orders import OrderStatus
from app.domain.review import ReviewPolicy, may_release
from app.repositories.orders import Order
from app.services.bus import Context
from app.services.common import retrying
from app.services.order_review.commands import ApproveOrder, RejectOrder
from app.services.order_review.policy import load_review_policy
from app.services.order_review.review import decide, recheck_credit_then_settle
from app.services.unit_of_work import UnitOfWork


@retrying
async def approve_order(cmd: ApproveOrder, uow: UnitOfWork, ctx: Context) -> Order:
    """Give the next approval (never on an order one created or edited); after the last one
    the order is approved unless the credit rule holds it now."""
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        level = await _next_level(uow, order, cmd.principal)
        policy = await load_review_policy(uow)
        order.pending_approvals = order.pending_approvals[1:]
        decide(uow, order, cmd.principal, "approve", role=level, comment=cmd.comment)
        uow.record(
            OrderApprovalGiven(
                actor=cmd.principal.actor,
                entity_id=order.id,
                before={"pending_approvals": [level, *order.pending_approvals]},
                after={
                    "pending_approvals": order.pending_approvals,
                    "role": level,
                    "comment": cmd.comment,
                },
            )
        )
        await recheck_credit_then_settle(uow, order, cmd.principal, policy, reason="approval")
        await uow.commit()
    return order


async def _next_level(uow: UnitOfWork, order: Order, principal: Principal) -> str:
    """The role the order waits for, if ``principal`` may give that approval."""
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
    return level


@retrying
async def reject_order(cmd: RejectOrder, uow: UnitOfWork, ctx: Context) -> Order:
    """Refuse the order for good (from pending approval or on hold)."""
    async with uow:
        order = await uow.orders.get_for_update_or_raise(cmd.order_id)
        if order.status not in (OrderStatus.PENDING_APPROVAL, OrderStatus.ON_HOLD):
            raise InvalidState(
                f"The order is {order.status}; only orders waiting for approval "
                "or on hold can be rejected.",
                code="order_not_pending_approval",
            )
        if not _may_reject(order, cmd.principal, await load_review_policy(uow)):
            raise PermissionDenied(
                "Only the order's approver (or whoever may release its holds) can reject it."
            )
        before = {"status": order.status}
        order.status = OrderStatus.REJECTED.value
        order.next_approver = None
        decide(uow, order, cmd.principal, "reject", comment=cmd.reason)
        # Its reservations are released by a reaction.
        uow.record(
            OrderRejected(
                actor=cmd.principal.actor,
                entity_id=order.id,
                before=before,
                after={"status": order.status, "reason": cmd.reason},
            )
        )
        await uow.commit()
    return order


def _may_reject(order: Order, principal: Principal, policy: ReviewPolicy) -> bool:
    return (
        "admin" in principal.roles
        or (order.next_approver is not None and order.next_approver in principal.roles)
        or any(may_release(h, principal.roles, policy) for h in order.holds)
    )
