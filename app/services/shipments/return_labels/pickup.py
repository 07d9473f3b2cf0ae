"""Own-fleet pickup of an approved return (``POST /returns/{id}/pickup``): the day (today or
later) and time window the fleet collects the goods on."""

from __future__ import annotations

from app.domain.after_sales.return_shipping import check_pickup
from app.domain.events import ReturnPickupScheduled
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.return_labels.commands import ScheduleReturnPickup
from app.services.shipments.return_labels.purchase import now_utc
from app.services.shipments.return_labels.views import (
    ReturnShipping,
    audit_image,
    load_view,
    locked_return,
)
from app.services.unit_of_work import UnitOfWork


@retrying
async def schedule_pickup(
    cmd: ScheduleReturnPickup, uow: UnitOfWork, ctx: Context
) -> ReturnShipping:
    """Set (or move) the pickup; 409 unless the return is approved and of method ``pickup``,
    422 for a day in the past or a malformed window."""
    now = now_utc()
    async with uow:
        ret = await locked_return(uow, cmd.return_id)
        check_pickup(ret.status, ret.method, cmd.on, now.date(), cmd.window)
        before = audit_image(await load_view(uow, ret))
        ret.pickup_on = cmd.on
        ret.pickup_window = cmd.window
        ret.pickup_note = cmd.note
        ret.updated_at = now
        ret.updated_by = cmd.principal.actor
        await uow.flush()
        view = await load_view(uow, ret)
        after = audit_image(view)
        uow.record(
            ReturnPickupScheduled(
                actor=cmd.principal.actor,
                entity_id=ret.id,
                before=before,
                after=after,
                payload={**after, "return_id": str(ret.id), "warehouse_id": str(ret.warehouse_id)},
            )
        )
        await uow.commit()
    return view
