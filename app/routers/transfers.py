"""Transfer orders between warehouses (调拨): create, ship, receive, cancel, list."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from app.deps import AUTHENTICATED, BusDep, ETagDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.transfers import (
    TransferCancel,
    TransferCreate,
    TransferLineRead,
    TransferRead,
    TransferReasonName,
    TransferReceive,
    TransferStatusName,
)
from app.services.transfers.commands import (
    CancelTransfer,
    ShipTransfer,
)
from app.services.transfers.queries import get_transfer, list_transfers
from app.services.transfers.views import TransferView

router = APIRouter(prefix="/api/v1/transfers", tags=["transfers"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("stock:read"))]
Writer = Annotated[Principal, Depends(requires("stock:write"))]
WarehouseFilter = Annotated[str | None, Query(max_length=64, description="Warehouse code")]


def _read(view: TransferView) -> TransferRead:
    t = view.transfer
    return TransferRead(
        id=t.id,
        number=t.number,
        from_warehouse_id=t.from_warehouse_id,
        from_warehouse=view.from_warehouse,
        to_warehouse_id=t.to_warehouse_id,
        to_warehouse=view.to_warehouse,
        reason=t.reason,
        status=t.status,
        order_id=t.order_id,
        notes=t.notes,
        created_by=t.created_by,
        updated_by=t.updated_by,
        created_at=t.created_at,
        updated_at=t.updated_at,
        shipped_at=t.shipped_at,
        received_at=t.received_at,
        cancelled_at=t.cancelled_at,
        cancel_reason=t.cancel_reason,
        version=t.version,
        lines=[TransferLineRead.model_validate(line) for line in view.lines],
    )


@router.post(
    "",
    response_model=TransferRead,
    status_code=status.HTTP_201_CREATED,
    summary="Create a draft transfer",
    responses=problem_responses(401, 403, 422),
)
async def create(
    body: TransferCreate,
    bus: BusDep,
    uow: UowDep,
    principal: Writer,
    response: Response,
    set_etag: ETagDep,
) -> TransferRead:
    """A draft transfer between two different warehouses; repeated SKUs are merged."""
    view: TransferView = await bus.handle(body.to_command(principal), uow)
    set_etag(view.transfer.version)
    response.headers["Location"] = f"/api/v1/transfers/{view.transfer.id}"
    return _read(view)


@router.get(
    "",
    response_model=Page[TransferRead],
    summary="List transfers",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    status: TransferStatusName | None = None,
    from_warehouse: WarehouseFilter = None,
    to_warehouse: WarehouseFilter = None,
    reason: TransferReasonName | None = None,
) -> Page[TransferRead]:
    """Transfers newest first, filtered by status, warehouses and reason."""
    result = await list_transfers(
        uow,
        status=status,
        from_warehouse=from_warehouse,
        to_warehouse=to_warehouse,
        reason=reason,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page(items=[_read(v) for v in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{transfer_id}",
    response_model=TransferRead,
    summary="Get a transfer",
    responses=problem_responses(401, 403, 404),
)
async def get(
    transfer_id: uuid.UUID, uow: UowDep, principal: Reader, set_etag: ETagDep
) -> TransferRead:
    """One transfer with its lines."""
    view = await get_transfer(uow, transfer_id)
    set_etag(view.transfer.version)
    return _read(view)


@router.post(
    "/{transfer_id}/ship",
    response_model=TransferRead,
    summary="Ship a transfer",
    responses=problem_responses(401, 403, 404, 409),
)
async def ship(transfer_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Writer) -> TransferRead:
    """Issue every line from the source warehouse; 409 `insufficient_stock` (nothing moves)
    when any line is short of available stock, 409 `invalid_state` unless it is a draft."""
    command = ShipTransfer(principal=principal, transfer_id=transfer_id)
    return _read(await bus.handle(command, uow))


@router.post(
    "/{transfer_id}/receive",
    response_model=TransferRead,
    summary="Receive a transfer (in parts)",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def receive(
    transfer_id: uuid.UUID, body: TransferReceive, bus: BusDep, uow: UowDep, principal: Writer
) -> TransferRead:
    """Put what arrived on hand at the destination; `final: true` records whatever is still in
    transit as a discrepancy and completes the transfer."""
    return _read(await bus.handle(body.to_command(transfer_id, principal), uow))


@router.post(
    "/{transfer_id}/cancel",
    response_model=TransferRead,
    summary="Cancel a transfer",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cancel(
    transfer_id: uuid.UUID, body: TransferCancel, bus: BusDep, uow: UowDep, principal: Writer
) -> TransferRead:
    """Cancel a draft with a reason; once shipped, a transfer can only be received."""
    command = CancelTransfer(principal=principal, transfer_id=transfer_id, reason=body.reason)
    return _read(await bus.handle(command, uow))
