"""Reading transfers."""

from __future__ import annotations

import uuid

from app.repositories.pagination import PageResult
from app.repositories.transfers import TransferFilters
from app.services.transfers.views import (
    TransferLineView,
    TransferView,
    load_view,
    warehouse_by_code,
)
from app.services.unit_of_work import UnitOfWork


async def get_transfer(uow: UnitOfWork, transfer_id: uuid.UUID) -> TransferView:
    async with uow:
        transfer = await uow.transfers.get_or_raise(transfer_id)
        return await load_view(uow, transfer)


async def _warehouse_id(uow: UnitOfWork, code: str | None, field: str) -> uuid.UUID | None:
    return (await warehouse_by_code(uow, code, field)).id if code else None


async def list_transfers(
    uow: UnitOfWork,
    *,
    status: str | None,
    from_warehouse: str | None,
    to_warehouse: str | None,
    reason: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[TransferView]:
    """Transfers newest first, each with its lines."""
    async with uow:
        from_id = await _warehouse_id(uow, from_warehouse, "from_warehouse")
        to_id = await _warehouse_id(uow, to_warehouse, "to_warehouse")
        page = await uow.transfers.page(
            filters=TransferFilters(status, from_id, to_id, reason), limit=limit, cursor=cursor
        )
        ids = [t.id for t in page.items]
        lines = await uow.transfers.lines_of(ids)
        codes = await uow.transfers.warehouse_codes(
            {t.from_warehouse_id for t in page.items} | {t.to_warehouse_id for t in page.items}
        )
    return PageResult(
        [
            TransferView(
                t,
                codes[t.from_warehouse_id],
                codes[t.to_warehouse_id],
                [TransferLineView.of(line) for line in lines[t.id]],
            )
            for t in page.items
        ],
        page.next_cursor,
    )
