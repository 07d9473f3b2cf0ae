"""The quarantine: returned goods held apart (not available to allocation) until they are
released to stock or scrapped."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.after_sales import returns as rules
from app.domain.auth import RETURNS_RECEIVE
from app.domain.errors import NotFound
from app.domain.events import ReturnReceived, StockArrived
from app.services.after_sales.receiving import stock
from app.services.after_sales.receiving.commands import TakeFromQuarantine
from app.services.after_sales.returns.views import ReturnView, image, load_view
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


@retrying
async def take_from_quarantine(
    cmd: TakeFromQuarantine, uow: UnitOfWork, ctx: Context
) -> ReturnView:
    """Release (back on hand, allocating waiting orders) or scrap quarantined goods of a
    return line, never more than it holds."""
    cmd.principal.require(RETURNS_RECEIVE)
    async with uow:
        ret = await uow.returns.get_for_update_or_raise(cmd.return_id)
        before = image(await load_view(uow, ret))
        line = next((x for x in await uow.returns.lines(ret.id) if x.id == cmd.line_id), None)
        if line is None:
            raise NotFound(f"Return {ret.number} has no line {cmd.line_id}.")
        holding = rules.held(line.quarantined, line.released, line.quarantine_scrapped)
        rules.check_quarantine_take(cmd.quantity, holding, cmd.reason, scrap=cmd.scrap)
        actor = cmd.principal.actor
        if cmd.scrap:
            await stock.scrap(
                uow,
                ret.warehouse_id,
                line.product_id,
                cmd.quantity,
                actor=actor,
                reference=ret.number,
                reason=cmd.reason or "",
            )
            line.quarantine_scrapped += cmd.quantity
        else:
            await stock.restock(
                uow,
                ret.warehouse_id,
                line.product_id,
                cmd.quantity,
                actor=actor,
                reference=ret.number,
            )
            line.released += cmd.quantity
            uow.record(
                StockArrived(actor=actor, entity_id=ret.number, product_ids=(line.product_id,))
            )
        ret.updated_at = datetime.now(UTC)
        ret.updated_by = actor
        view = await load_view(uow, ret)
        # The receipt's inspection changed: audited as a change of the received return.
        uow.record(
            ReturnReceived(
                actor=actor,
                entity_id=ret.id,
                action="quarantine_released" if not cmd.scrap else "quarantine_scrapped",
                topic=None,
                before=before,
                after=image(view),
            )
        )
        await uow.commit()
        return view
