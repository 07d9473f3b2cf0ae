"""The explanation an allocation keeps and publishes: why the order got what it got."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain import production
from app.domain.allocation import Plan
from app.domain.production import SupplyMethod
from app.repositories.allocation import WarehouseRow
from app.repositories.orders import Order, OrderLine
from app.services.allocation.expected import expected_dates
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

Available = dict[uuid.UUID, dict[uuid.UUID, Decimal]]


async def explain(
    uow: UnitOfWork,
    order: Order,
    lines: list[OrderLine],
    plan: Plan,
    warehouses: list[WarehouseRow],
    available: Available,
    transfers: list[str],
    settings: Settings,
) -> dict[str, Any]:
    """Why the order got what it got: the plan's reasons, what is short and when it is
    expected, what was reserved where, the transfers drafted and in-stock substitutes for
    the short lines."""
    by_line = {x.id: x for x in lines}
    return plan.explanation() | {
        "backordered": {by_line[k].sku: str(v) for k, v in plan.backordered.items()},
        "expected": await _expected(uow, order, [by_line[k] for k in plan.backordered], settings),
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


async def _expected(
    uow: UnitOfWork, order: Order, short: list[OrderLine], settings: Settings
) -> dict[str, str]:
    """When each short line's goods are expected: by open purchase orders and production
    requests, or — a made-to-order line, whose request its shortage is about to raise — by
    the due date that request will have."""
    if not short:
        return {}
    expected = await expected_dates(uow, [x.product_id for x in short])
    products = await uow.products.get_many_by_sku([x.sku for x in short])
    today = datetime.now(UTC).date()
    out = {}
    for line in short:
        product = products[line.sku]
        when = expected.get(line.product_id)
        if product.supply_method == SupplyMethod.MAKE_TO_ORDER:
            due = production.due_date(
                today,
                product.production_lead_days,
                order.requested_delivery_date,
                settings.production_transit_days,
            )
            when = min(when, due) if when else due
        if when is not None:
            out[line.sku] = when.isoformat()
    return out


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
