"""What every pick-list use case reads about a pick list: its view (the list with its
warehouse code, lines and per-order breakdown) and the audit/outbox image."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.domain.errors import UnknownReference
from app.domain.locations import BinCode
from app.domain.picking import OPEN_STATUSES
from app.repositories.base import jsonable, snapshot
from app.repositories.picking import PickList, PickListItem, PickListLine
from app.repositories.warehouses import Warehouse
from app.services.unit_of_work import UnitOfWork

OPEN = sorted(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class PickListLineView:
    line: PickListLine
    items: list[PickListItem]

    @property
    def location(self) -> str | None:
        x = self.line
        if x.zone is None or x.aisle is None or x.shelf is None or x.bin is None:
            return None
        return str(BinCode(x.zone, x.aisle, x.shelf, x.bin))


@dataclass(frozen=True)
class PickListView:
    pick_list: PickList
    warehouse: str
    lines: list[PickListLineView]


def utcnow() -> datetime:
    return datetime.now(UTC)


async def views_of(uow: UnitOfWork, pick_lists: list[PickList]) -> list[PickListView]:
    ids = [p.id for p in pick_lists]
    lines = await uow.pick_lists.lines_of(ids)
    items: dict[uuid.UUID, list[PickListItem]] = {}
    for item in await uow.pick_lists.items(ids):
        items.setdefault(item.line_id, []).append(item)
    codes: dict[uuid.UUID, str] = {}
    for p in pick_lists:
        if p.warehouse_id not in codes:
            warehouse = await uow.warehouses.get(p.warehouse_id)
            codes[p.warehouse_id] = warehouse.code if warehouse else str(p.warehouse_id)
    return [
        PickListView(
            p,
            codes[p.warehouse_id],
            [
                PickListLineView(line, items.get(line.id, []))
                for line in lines
                if line.pick_list_id == p.id
            ],
        )
        for p in pick_lists
    ]


async def load_view(uow: UnitOfWork, pick_list: PickList) -> PickListView:
    return (await views_of(uow, [pick_list]))[0]


def _line_image(v: PickListLineView) -> dict[str, Any]:
    return {
        "sku": v.line.sku,
        "location": v.location,
        "quantity": v.line.quantity,
        "picked": v.line.picked,
        "orders": [
            {
                "order_id": i.order_id,
                "order_number": i.order_number,
                "order_line_id": i.order_line_id,
                "quantity": i.quantity,
                "picked": i.picked,
            }
            for i in v.items
        ],
    }


def audit_image(view: PickListView) -> dict[str, Any]:
    """The audit/outbox image: the columns, the warehouse code, the lines and breakdowns."""
    return snapshot(view.pick_list) | {
        "warehouse": view.warehouse,
        "lines": jsonable([_line_image(v) for v in view.lines]),
    }


async def warehouse_by_code(uow: UnitOfWork, code: str) -> Warehouse:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on("warehouse", "exists", f"No warehouse with code '{code}'.")
    return warehouse
