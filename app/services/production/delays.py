"""Production delays (生产延迟): a request past its due date, or whose production system
expects to finish after it, is delayed once — ``production.delayed`` names the orders it
serves and the date they may now expect (the production system's, or today when it gave
none); the ``production_delayed`` alert follows it (a reaction of the alerts)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain import production as rules
from app.domain.events import ProductionDelayed
from app.services.bus import Context
from app.services.common import retrying
from app.services.production.commands import RaiseProductionDelays
from app.services.production.views import image, load_view
from app.services.unit_of_work import UnitOfWork


@retrying
async def raise_production_delays(cmd: RaiseProductionDelays, uow: UnitOfWork, ctx: Context) -> int:
    """One batch of late requests delayed; how many (safe in several workers: each is
    locked and looked at again)."""
    now = datetime.now(UTC)
    today = cmd.today or now.date()
    raised = 0
    async with uow:
        for found in await uow.production.late_candidates(today, after=None, limit=cmd.batch):
            request = await uow.production.get_for_update_or_raise(found.id)
            late = rules.is_late(
                request.status, request.due_date, today, request.expected_finish_date
            )
            if request.delayed_at is not None or not late:
                continue
            before = image(await load_view(uow, request))
            request.delayed_at = now
            view = await load_view(uow, request)
            orders = [
                (await uow.orders.get_or_raise(o)).number
                for o in dict.fromkeys(x.order_id for x in view.links)
            ]
            expected = max(
                today, rules.expected_date(request.due_date, request.expected_finish_date)
            )
            uow.record(
                ProductionDelayed(
                    actor=cmd.principal.actor,
                    entity_id=request.id,
                    before=before,
                    after=image(view),
                    payload={
                        **image(view),
                        "orders": orders,
                        "expected_date": expected.isoformat(),
                    },
                )
            )
            raised += 1
        await uow.commit()
    return raised
