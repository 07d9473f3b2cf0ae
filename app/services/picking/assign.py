"""Give an open pick list to a picker (or to another one)."""

from __future__ import annotations

from app.domain.events import PickListAssigned
from app.domain.picking import PickListStatus, check_can_change
from app.services.bus import Context
from app.services.common import retrying
from app.services.picking.commands import AssignPickList
from app.services.picking.views import PickListView, audit_image, load_view, utcnow
from app.services.unit_of_work import UnitOfWork


@retrying
async def assign_pick_list(cmd: AssignPickList, uow: UnitOfWork, ctx: Context) -> PickListView:
    """Give an open pick list to a picker (or to another one)."""
    async with uow:
        pick_list = await uow.pick_lists.get_for_update_or_raise(cmd.pick_list_id)
        check_can_change(pick_list.status, "assigned")
        before = audit_image(await load_view(uow, pick_list))
        pick_list.picker = cmd.picker
        pick_list.status = PickListStatus.ASSIGNED.value
        pick_list.updated_by = cmd.principal.actor
        pick_list.updated_at = utcnow()
        await uow.flush()
        view = await load_view(uow, pick_list)
        uow.record(
            PickListAssigned(
                actor=cmd.principal.actor,
                entity_id=pick_list.id,
                before=before,
                after=audit_image(view),
            )
        )
        await uow.commit()
    return view
