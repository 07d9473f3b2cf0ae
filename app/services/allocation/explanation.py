"""The explanation an allocation keeps and publishes: why the order got what it got."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from app.domain.allocation import Plan
from app.repositories.orders import OrderLine
from app.repositories.reservations import WarehouseRow
from app.services.unit_of_work import UnitOfWork

Available = dict[uuid.UUID, dict[uuid.UUID, Decimal]]


async def explain(
    uow: UnitOfWork,
    lines: list[OrderLine],
    plan: Plan,
    warehouses: list[WarehouseRow],
    available: Available,
    transfers: list[str],
) -> dict[str, Any]:
    """Why the order got what it got: the plan's reasons, what is short, what was reserved
    where, the transfers drafted and in-stock substitutes for the short lines."""
    by_line = {x.id: x for x in lines}
    return plan.explanation() | {
        "backordered": {by_line[k].sku: str(v) for k, v in plan.backordered.items()},
        "reserved": [
            {
                "sku": by_line[a.line_id].sku,
                "warehouse": _code(warehouses, a.warehouse_id),
                "quantity": str(a.quantity),
            }
            for a in plan.assignments
        ],
        "transfers": transfers,
        "substitutes": await _substitutes(uow, lines, plan, available),
    }


def _code(warehouses: list[WarehouseRow], warehouse_id: uuid.UUID) -> str:
    return next((w.code for w in warehouses if w.id == warehouse_id), str(warehouse_id))


async def _substitutes(
    uow: UnitOfWork, lines: list[OrderLine], plan: Plan, available: Available
) -> dict[str, list[dict[str, str]]]:
    """In-stock substitutes for short lines: suggested, never applied."""
    out: dict[str, list[dict[str, str]]] = {}
    for line in (x for x in lines if x.id in plan.backordered):
        offers = await _offers(uow, line)
        if offers:
            out[line.sku] = offers
    return out


async def _offers(uow: UnitOfWork, line: OrderLine) -> list[dict[str, str]]:
    """The active substitutes of a line's product that have stock somewhere."""
    product = await uow.products.get(line.product_id)
    if product is None or not product.substitutes:
        return []
    subs = await uow.products.get_many_by_sku(list(product.substitutes))
    sub_stock = await uow.allocation.available([p.id for p in subs.values()])
    offers = []
    for sku, sub in sorted(subs.items()):
        total = sum((per.get(sub.id, Decimal(0)) for per in sub_stock.values()), Decimal(0))
        if sub.active and total > 0:
            offers.append({"sku": sku, "name": sub.name, "available": str(total)})
    return offers
