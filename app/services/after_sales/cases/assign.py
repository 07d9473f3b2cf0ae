"""Reassigning a case and changing its priority (``If-Match``): a priority moves its response
and resolution targets, counted from when it was opened. Each change is an internal timeline
entry — the customer never sees who works their case."""

from __future__ import annotations

from typing import Any

from app.domain.after_sales.cases import CasePriority, EntryKind, Visibility
from app.domain.errors import RuleViolation
from app.domain.events import CaseUpdated
from app.repositories.cases import ServiceCase
from app.services.after_sales.cases.change import check_open
from app.services.after_sales.cases.commands import UpdateCase
from app.services.after_sales.cases.open import CASES_WRITE, check_assignee
from app.services.after_sales.cases.timeline import add_entry, set_deadlines
from app.services.after_sales.cases.views import CaseView, image, load_view
from app.services.bus import Context
from app.services.common import check_version, retrying
from app.services.unit_of_work import UnitOfWork


@retrying
async def update_case(cmd: UpdateCase, uow: UnitOfWork, ctx: Context) -> CaseView:
    cmd.principal.require(CASES_WRITE)
    if "priority" in cmd.given and cmd.priority not in {p.value for p in CasePriority}:
        raise RuleViolation.on("priority", "enum", f"Not a priority: {cmd.priority}.")
    async with uow:
        case = await uow.cases.get_for_update_or_raise(cmd.case_id)
        check_version(case, cmd.expected_version)
        check_open(case)
        if "assignee" in cmd.given and cmd.assignee is not None:
            await check_assignee(uow, cmd.assignee)
        before = image(case)
        changes = _apply(ctx, cmd, case)
        if changes:
            add_entry(
                uow,
                case,
                kind=EntryKind.CHANGE,
                visibility=Visibility.INTERNAL,
                author=cmd.principal.actor,
                changes=changes,
            )
            uow.record(
                CaseUpdated(
                    actor=cmd.principal.actor, entity_id=case.id, before=before, after=image(case)
                )
            )
        await uow.commit()
        return await load_view(uow, case)


def _apply(ctx: Context, cmd: UpdateCase, case: ServiceCase) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if "assignee" in cmd.given and cmd.assignee != case.assignee:
        changes["assignee"] = [case.assignee, cmd.assignee]
        case.assignee = cmd.assignee
    if "priority" in cmd.given and cmd.priority and cmd.priority != case.priority:
        changes["priority"] = [case.priority, cmd.priority]
        case.priority = cmd.priority
        set_deadlines(ctx, case)
    return changes
