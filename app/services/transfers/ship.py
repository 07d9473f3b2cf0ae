"""Shipping a transfer: every line leaves the source warehouse, or none does."""

from __future__ import annotations

from app.domain.errors import FieldIssue, InsufficientStock
from app.domain.events import TransferShipped
from app.domain.stock import MovementKind, StockPosition, insufficient_stock
from app.domain.transfers import TransferStatus, check_can_ship
from app.repositories.transfers import Transfer, TransferLine
from app.services.bus import Context
from app.services.common import retrying
from app.services.transfers.commands import ShipTransfer
from app.services.transfers.views import (
    TransferView,
    current_image,
    image,
    load_view,
    now,
    touch,
)
from app.services.unit_of_work import UnitOfWork


async def _refusal(
    uow: UnitOfWork, transfer: Transfer, line: TransferLine, source: str
) -> list[FieldIssue]:
    """Why ``line`` cannot leave the source: its stock there falls short."""
    level = await uow.stock.read_level(transfer.from_warehouse_id, line.product_id)
    position = StockPosition(level.on_hand, level.reserved) if level else StockPosition()
    refused = insufficient_stock(line.sku, source, position, line.quantity)
    return [
        FieldIssue(f"lines.{line.line_no - 1}.quantity", i.rule, refused.detail)
        for i in refused.issues
    ]


async def _issue_lines(uow: UnitOfWork, transfer: Transfer, actor: str) -> None:
    """``transfer_out`` movements for every line; any short line refuses them all."""
    codes = await uow.transfers.warehouse_codes(
        {transfer.from_warehouse_id, transfer.to_warehouse_id}
    )
    source, destination = codes[transfer.from_warehouse_id], codes[transfer.to_warehouse_id]
    lines = await uow.transfers.lines(transfer.id)
    issues: list[FieldIssue] = []
    # Stock rows are touched in one fixed order (product, then warehouse): no deadlocks.
    for line in sorted(lines, key=lambda item: item.product_id):
        issued = await uow.stock.move(
            transfer.from_warehouse_id,
            line.product_id,
            -line.quantity,
            kind=MovementKind.TRANSFER_OUT.value,
            actor=actor,
            reason=f"transfer to {destination}",
            reference=transfer.number,
        )
        if issued is None:
            issues += await _refusal(uow, transfer, line, source)
            continue
        line.shipped_quantity = line.quantity
    if issues:
        detail = " ".join(i.message for i in issues)
        raise InsufficientStock(detail, issues=issues)


@retrying
async def ship_transfer(cmd: ShipTransfer, uow: UnitOfWork, ctx: Context) -> TransferView:
    """Issue every line from the source warehouse (``transfer_out`` movements). Any line short
    of available stock refuses the whole shipment (409 ``insufficient_stock``): nothing moves."""
    actor = cmd.principal.actor
    async with uow:
        transfer = await uow.transfers.get_for_update_or_raise(cmd.transfer_id)
        check_can_ship(transfer.status)
        before = await current_image(uow, transfer)
        await _issue_lines(uow, transfer, actor)
        at = now()
        transfer.status = TransferStatus.SHIPPED.value
        transfer.shipped_at = at
        touch(transfer, actor, at)
        await uow.flush()
        view = await load_view(uow, transfer)
        uow.record(
            TransferShipped(actor=actor, entity_id=transfer.id, before=before, after=image(view))
        )
        await uow.commit()
    return view
