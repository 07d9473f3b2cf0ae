"""The stock rule: a product whose projected position fell below its reorder point (the
position replenishment computes, ``app.domain.replenishment``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from app.domain.alert_conditions import below_reorder_point
from app.domain.alerts import AlertSpec, Rule
from app.domain.purchasing import ON_ORDER
from app.domain.replenishment import ProductPosition
from app.services.alerts.raising import clear_alerts, open_alert
from app.services.unit_of_work import UnitOfWork

RULE = Rule.STOCK_BELOW_REORDER_POINT
# Products the scan checks per round (those short or below their reorder point, by SKU).
SCAN_LIMIT = 1000


def spec(p: ProductPosition, actor: str) -> AlertSpec:
    details = {"sku": p.sku, "projected": p.projected, "reorder_point": p.reorder_point}
    return AlertSpec(RULE, str(p.product_id), details, actor=actor)


async def below(
    uow: UnitOfWork, product_ids: Collection[uuid.UUID] | None = None, limit: int = SCAN_LIMIT
) -> list[ProductPosition]:
    """The positions below their reorder point (of ``product_ids`` when given)."""
    candidates = await uow.purchasing.replenishment_candidates(
        ON_ORDER, limit, product_ids=product_ids
    )
    return [p for p in (c.position() for c in candidates) if below_reorder_point(p)]


async def check_products(uow: UnitOfWork, product_ids: Collection[uuid.UUID], actor: str) -> None:
    """Open the alert of each product now below its reorder point, resolve the others'."""
    if not product_ids:
        return
    low = {p.product_id: p for p in await below(uow, product_ids, limit=len(product_ids))}
    for product_id in product_ids:
        if product_id in low:
            await open_alert(uow, spec(low[product_id], actor))
        else:
            await clear_alerts(uow, RULE, "product", product_id, "back above the reorder point")
