"""Replenishment suggestions: what to buy now (bought products only: made ones get production
requests), grouped by preferred supplier."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from app.domain.production import SupplyMethod
from app.domain.purchasing import ON_ORDER
from app.domain.replenishment import SupplierGroup, plan
from app.repositories.products import Product
from app.repositories.replenishment import SupplierInfo
from app.services.purchasing.views import today
from app.services.unit_of_work import UnitOfWork

# The suggestions consider at most this many products (those short or below their reorder
# point, by SKU); the answer says when the list was cut.
SUGGESTION_LIMIT = 1000


@dataclass(frozen=True)
class GroupView:
    group: SupplierGroup
    supplier: SupplierInfo | None
    products: dict[uuid.UUID, Product]


@dataclass(frozen=True)
class SuggestionsView:
    order_date: date
    groups: list[GroupView]
    limit: int
    truncated: bool


async def plan_suggestions(uow: UnitOfWork, on: date) -> SuggestionsView:
    """Within an open unit of work: the suggestions as of ``on``, grouped by supplier."""
    candidates = await uow.purchasing.replenishment_candidates(
        ON_ORDER,
        SUGGESTION_LIMIT + 1,
        supply=SupplyMethod.BUY.value,  # made ones are not bought
    )
    truncated = len(candidates) > SUGGESTION_LIMIT
    candidates = candidates[:SUGGESTION_LIMIT]
    products = {c.product.id: c.product for c in candidates}
    suppliers = await uow.purchasing.suppliers(
        {c.product.preferred_supplier_id for c in candidates if c.product.preferred_supplier_id}
    )
    lead_times = {sid: s.lead_time_days for sid, s in suppliers.items()}
    groups = plan((c.position() for c in candidates), lead_times, on)
    views = [
        GroupView(g, suppliers[g.supplier_id] if g.supplier_id else None, products) for g in groups
    ]
    views.sort(key=lambda v: (v.supplier is None, v.supplier.code if v.supplier else ""))
    return SuggestionsView(on, views, SUGGESTION_LIMIT, truncated)


async def suggestions(uow: UnitOfWork) -> SuggestionsView:
    """What to buy now, grouped by preferred supplier (products without one last)."""
    async with uow:
        return await plan_suggestions(uow, today())
