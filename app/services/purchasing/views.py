"""What the purchase-order use cases answer with, and the image their events carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.repositories.base import snapshot
from app.repositories.purchasing import PurchaseOrder, PurchaseOrderLine
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PurchaseOrderView:
    order: PurchaseOrder
    supplier: str
    warehouse: str
    lines: list[PurchaseOrderLine] | None = None


def today() -> date:
    return datetime.now(UTC).date()


def image(view: PurchaseOrderView) -> dict[str, Any]:
    """The order as audit and outbox events show it."""
    result = snapshot(view.order) | {"supplier": view.supplier, "warehouse": view.warehouse}
    if view.lines is not None:
        result["lines"] = [snapshot(line) for line in view.lines]
    return result


async def load_view(uow: UnitOfWork, order: PurchaseOrder) -> PurchaseOrderView:
    suppliers, warehouses = await uow.purchasing.codes([order])
    return PurchaseOrderView(
        order,
        suppliers[order.supplier_id],
        warehouses[order.warehouse_id],
        await uow.purchasing.lines(order.id),
    )
