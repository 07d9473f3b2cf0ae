"""What the transfer use cases answer with, and the image their events carry."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.domain.errors import UnknownReference
from app.domain.transfers import LineProgress
from app.repositories.base import jsonable, snapshot
from app.repositories.transfers import Transfer, TransferLine
from app.repositories.warehouses import Warehouse
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class TransferLineView:
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    quantity: Decimal
    shipped_quantity: Decimal
    received_quantity: Decimal
    discrepancy_quantity: Decimal
    discrepancy_note: str | None

    @property
    def in_transit(self) -> Decimal:
        return progress(self).outstanding

    @classmethod
    def of(cls, line: TransferLine) -> TransferLineView:
        return cls(
            line.id,
            line.line_no,
            line.product_id,
            line.sku,
            line.quantity,
            line.shipped_quantity,
            line.received_quantity,
            line.discrepancy_quantity,
            line.discrepancy_note,
        )


@dataclass(frozen=True)
class TransferView:
    """A transfer with its warehouses' codes and its lines."""

    transfer: Transfer
    from_warehouse: str
    to_warehouse: str
    lines: list[TransferLineView]


def progress(line: TransferLine | TransferLineView) -> LineProgress:
    return LineProgress(line.shipped_quantity, line.received_quantity, line.discrepancy_quantity)


def now() -> datetime:
    return datetime.now(UTC)


async def load_view(uow: UnitOfWork, transfer: Transfer) -> TransferView:
    codes = await uow.transfers.warehouse_codes(
        {transfer.from_warehouse_id, transfer.to_warehouse_id}
    )
    lines = await uow.transfers.lines(transfer.id)
    return TransferView(
        transfer,
        codes[transfer.from_warehouse_id],
        codes[transfer.to_warehouse_id],
        [TransferLineView.of(line) for line in lines],
    )


def image(view: TransferView) -> dict[str, Any]:
    """The audit/outbox image of a transfer: its columns, its warehouses' codes and its lines."""
    return snapshot(view.transfer) | {
        "from_warehouse": view.from_warehouse,
        "to_warehouse": view.to_warehouse,
        "lines": jsonable(
            [
                {
                    "sku": line.sku,
                    "product_id": line.product_id,
                    "quantity": line.quantity,
                    "shipped_quantity": line.shipped_quantity,
                    "received_quantity": line.received_quantity,
                    "discrepancy_quantity": line.discrepancy_quantity,
                    "discrepancy_note": line.discrepancy_note,
                }
                for line in view.lines
            ]
        ),
    }


async def current_image(uow: UnitOfWork, transfer: Transfer) -> dict[str, Any]:
    return image(await load_view(uow, transfer))


async def warehouse_by_code(uow: UnitOfWork, code: str, field: str) -> Warehouse:
    warehouse = await uow.warehouses.get_by_code(code)
    if warehouse is None:
        raise UnknownReference.on(field, "exists", f"No warehouse with code '{code}'.")
    return warehouse


def touch(transfer: Transfer, actor: str, at: datetime) -> None:
    transfer.updated_at = at
    transfer.updated_by = actor
