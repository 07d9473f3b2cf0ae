"""Turning the replenishment suggestions into draft purchase orders."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.errors import Violations
from app.services.bus import Context
from app.services.common import retrying
from app.services.purchasing.commands import CreateReplenishmentOrders
from app.services.purchasing.drafting import add_order, delivery_warehouse
from app.services.purchasing.suggestions import plan_suggestions
from app.services.purchasing.views import PurchaseOrderView, today
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Skipped:
    sku: str
    reason: str


@dataclass(frozen=True)
class ReplenishmentResult:
    purchase_orders: list[PurchaseOrderView]
    skipped: list[Skipped]


@retrying
async def create_from_suggestions(
    cmd: CreateReplenishmentOrders, uow: UnitOfWork, ctx: Context
) -> ReplenishmentResult:
    """Turn the current suggestions into draft purchase orders, one per preferred supplier;
    products without a supplier (or whose supplier is inactive) are skipped and reported."""
    on = today()
    async with uow:
        v = Violations()
        warehouse = await delivery_warehouse(uow, cmd.warehouse, v)
        v.raise_if_any()
        assert warehouse is not None
        view = await plan_suggestions(uow, on)
        created: list[PurchaseOrderView] = []
        skipped: list[Skipped] = []
        for g in view.groups:
            skus = [s.position.sku for s in g.group.suggestions]
            if g.supplier is None:
                skipped += [Skipped(sku, "no_preferred_supplier") for sku in skus]
                continue
            if not g.supplier.active:
                skipped += [Skipped(sku, "supplier_inactive") for sku in skus]
                continue
            lines = [(g.products[s.product_id], s.quantity, None) for s in g.group.suggestions]
            created.append(
                await add_order(
                    uow, cmd.principal, g.supplier, warehouse, lines, on, g.group.expected_date
                )
            )
        await uow.commit()
    return ReplenishmentResult(created, skipped)
