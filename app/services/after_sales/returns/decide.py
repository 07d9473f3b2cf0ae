"""Approving or refusing a requested return: by the roles the review settings name (or an
admin), holding ``returns:approve``. The order is locked as a request locks it, and the lines
are checked again against what other returns claim, so two approvals at the same moment
never return more than was delivered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.domain.after_sales import returns as rules
from app.domain.after_sales.returns import ReturnStatus
from app.domain.auth import RETURNS_APPROVE, Principal
from app.domain.errors import PermissionDenied, Violations
from app.domain.events import ReturnApproved, ReturnRefused
from app.repositories.returns import Return
from app.services.after_sales.returns.commands import ApproveReturn, RefuseReturn
from app.services.after_sales.returns.request import approve, load_policy
from app.services.after_sales.returns.views import ReturnView, image, load_view
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


async def _locked(uow: UnitOfWork, principal: Principal, return_id: uuid.UUID) -> Return:
    principal.require(RETURNS_APPROVE)
    ret = await uow.returns.get_or_raise(return_id)
    await uow.orders.get_for_update(ret.order_id)
    ret = await uow.returns.get_for_update_or_raise(ret.id)
    rules.check_decidable(ret.status)
    policy = await load_policy(uow)
    if not rules.may_approve(principal.roles, policy.return_approvers):
        who = ", ".join(policy.return_approvers)
        raise PermissionDenied(f"Returns are decided by {who} (the review settings).")
    return ret


async def _check_still_returnable(uow: UnitOfWork, ret: Return) -> None:
    lines = await uow.returns.lines(ret.id)
    order_lines = {x.id: x for x in await uow.orders.lines(ret.order_id)}
    claimed = await uow.returns.claimed(list(order_lines), excluding=ret.id)
    v = Violations()
    for n, x in enumerate(lines):
        line = order_lines[x.order_line_id]
        left = line.quantity_delivered - line.quantity_returned - claimed.get(line.id, 0)
        if x.quantity > left:
            v.add(
                f"lines.{n}.quantity",
                "within_returnable",
                f"At most {left} of line {line.line_no} can still be returned.",
            )
    v.raise_if_any("The return asks for more than can still be returned.")


@retrying
async def approve_return(cmd: ApproveReturn, uow: UnitOfWork, ctx: Context) -> ReturnView:
    """A requested return becomes approved (409 ``return_not_requested`` otherwise)."""
    async with uow:
        ret = await _locked(uow, cmd.principal, cmd.return_id)
        await _check_still_returnable(uow, ret)
        before = image(await load_view(uow, ret))
        approve(ret, actor=cmd.principal.actor, automatic=False)
        view = await load_view(uow, ret)
        uow.record(
            ReturnApproved(
                actor=cmd.principal.actor,
                entity_id=ret.id,
                before=before,
                after=lambda: image(view),
            )
        )
        await uow.commit()
        return view


@retrying
async def refuse_return(cmd: RefuseReturn, uow: UnitOfWork, ctx: Context) -> ReturnView:
    """A requested return is refused with its reason, which it keeps; its lines are free to
    be returned again."""
    rules.check_refusal(cmd.reason)
    async with uow:
        ret = await _locked(uow, cmd.principal, cmd.return_id)
        before = image(await load_view(uow, ret))
        now = datetime.now(UTC)
        ret.status = ReturnStatus.REFUSED.value
        ret.refusal_reason = cmd.reason.strip()
        ret.decided_at = now
        ret.decided_by = cmd.principal.actor
        ret.updated_at = now
        ret.updated_by = cmd.principal.actor
        view = await load_view(uow, ret)
        uow.record(
            ReturnRefused(
                actor=cmd.principal.actor, entity_id=ret.id, before=before, after=image(view)
            )
        )
        await uow.commit()
        return view
