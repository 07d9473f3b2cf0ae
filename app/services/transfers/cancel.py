"""Cancelling a draft transfer."""

from __future__ import annotations

from app.domain.events import TransferCancelled
from app.domain.transfers import TransferStatus, check_can_cancel
from app.services.bus import Context
from app.services.common import retrying
from app.services.transfers.commands import CancelTransfer
from app.services.transfers.views import (
    TransferView,
    current_image,
    image,
    load_view,
    now,
    touch,
)
from app.services.unit_of_work import UnitOfWork


@retrying
async def cancel_transfer(cmd: CancelTransfer, uow: UnitOfWork, ctx: Context) -> TransferView:
    """Cancel a draft; once shipped, stock is on its way and the transfer must be received."""
    actor = cmd.principal.actor
    async with uow:
        transfer = await uow.transfers.get_for_update_or_raise(cmd.transfer_id)
        check_can_cancel(transfer.status)
        before = await current_image(uow, transfer)
        at = now()
        transfer.status = TransferStatus.CANCELLED.value
        transfer.cancelled_at = at
        transfer.cancel_reason = cmd.reason
        touch(transfer, actor, at)
        await uow.flush()
        view = await load_view(uow, transfer)
        uow.record(
            TransferCancelled(actor=actor, entity_id=transfer.id, before=before, after=image(view))
        )
        await uow.commit()
    return view
