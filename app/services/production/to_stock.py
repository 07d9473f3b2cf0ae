"""Make to stock (``production:write``): made products below their reorder point get a draft
request each, for the quantity replenishment would buy (the uncovered shortage plus the
reorder quantity, or back up to the reorder point), counting what open requests still make."""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain import production as rules
from app.domain.events import ProductionCreated
from app.domain.production import ProductionSource, SupplyMethod
from app.domain.purchasing import OPEN as ON_ORDER
from app.domain.replenishment import round_up, suggest
from app.services.bus import Context
from app.services.common import retrying
from app.services.production.commands import PlanFromReorderPoints
from app.services.production.planning import PRODUCTION_WRITE, new_request, production_warehouse
from app.services.production.views import ProductionView, image, load_view
from app.services.unit_of_work import UnitOfWork

BATCH = 200


@retrying
async def plan_from_reorder_points(
    cmd: PlanFromReorderPoints, uow: UnitOfWork, ctx: Context
) -> list[ProductionView]:
    cmd.principal.require(PRODUCTION_WRITE)
    actor = cmd.principal.actor
    today = datetime.now(UTC).date()
    views = []
    async with uow:
        candidates = await uow.purchasing.replenishment_candidates(
            ON_ORDER, BATCH, supply=SupplyMethod.MAKE.value
        )
        for candidate in candidates:
            suggestion = suggest(candidate.position())
            product = candidate.product
            if suggestion is None:
                continue
            quantity = round_up(suggestion.quantity, product.uom_precision)
            request = await new_request(
                uow,
                product,
                await production_warehouse(uow, product),
                quantity,
                rules.due_date(today, product.production_lead_days),
                source=ProductionSource.REORDER_POINT,
                actor=actor,
            )
            await uow.flush()
            view = await load_view(uow, request)
            uow.record(ProductionCreated(actor=actor, entity_id=request.id, after=image(view)))
            views.append(view)
        await uow.commit()
    return views
