"""Receiving a transfer, in parts: stock arrives at the destination and is offered to the
orders waiting for it (reaction to ``StockArrived``)."""

from __future__ import annotations

import uuid

from app.domain.events import StockArrived, TransferReceived
from app.domain.stock import MovementKind
from app.domain.transfers import ReceiptPlan, TransferStatus, plan_receipt
from app.repositories.base import jsonable
from app.repositories.transfers import Transfer, TransferLine
from app.services.bus import Context
from app.services.common import retrying
from app.services.transfers.commands import ReceiveTransfer
from app.services.transfers.views import (
    TransferView,
    current_image,
    image,
    load_view,
    now,
    progress,
    touch,
)
from app.services.unit_of_work import UnitOfWork


async def _plan(
    uow: UnitOfWork, transfer: Transfer, by_sku: dict[str, TransferLine], cmd: ReceiveTransfer
) -> ReceiptPlan:
    """What the receipt does to each line (the domain's ``plan_receipt``)."""
    precisions: dict[str, int] = {}
    for line in by_sku.values():
        product = await uow.products.get(line.product_id)
        if product is not None:
            precisions[line.sku] = product.uom_precision
    return plan_receipt(
        transfer.status,
        {line.sku: progress(line) for line in by_sku.values()},
        [(r.sku if r.sku in by_sku else None, r.quantity, r.note) for r in cmd.lines],
        final=cmd.final,
        precisions=precisions,
        note=cmd.note,
    )


async def _put_away(
    uow: UnitOfWork,
    transfer: Transfer,
    plan: ReceiptPlan,
    by_sku: dict[str, TransferLine],
    actor: str,
) -> list[uuid.UUID]:
    """Apply the plan to the lines and put what arrived on hand (``transfer_in``); the products
    that arrived, in the order their stock rows were touched."""
    codes = await uow.transfers.warehouse_codes({transfer.from_warehouse_id})
    source = codes[transfer.from_warehouse_id]
    arrived: list[uuid.UUID] = []
    for outcome in sorted(plan.lines, key=lambda o: by_sku[str(o.key)].product_id):
        line = by_sku[str(outcome.key)]
        line.received_quantity = outcome.progress.received
        line.discrepancy_quantity = outcome.progress.discrepancy
        if outcome.discrepancy_note is not None:
            line.discrepancy_note = outcome.discrepancy_note
        if outcome.arrived <= 0:
            continue
        added = await uow.stock.move(
            transfer.to_warehouse_id,
            line.product_id,
            outcome.arrived,
            kind=MovementKind.TRANSFER_IN.value,
            actor=actor,
            reason=f"transfer from {source}",
            reference=transfer.number,
        )
        assert added is not None, "adding stock is never refused"
        arrived.append(line.product_id)
    return arrived


def _received(
    cmd: ReceiveTransfer, plan: ReceiptPlan, view: TransferView, before: dict[str, object]
) -> TransferReceived:
    after = image(view)
    arrived = [{"sku": str(o.key), "quantity": o.arrived} for o in plan.arrived]
    return TransferReceived(
        actor=cmd.principal.actor,
        entity_id=view.transfer.id,
        action=plan.status.value,
        before=before,
        after=after,
        payload=after | {"final": cmd.final, "arrived": jsonable(arrived)},
    )


@retrying
async def receive_transfer(cmd: ReceiveTransfer, uow: UnitOfWork, ctx: Context) -> TransferView:
    """Put what arrived on hand at the destination (``transfer_in`` movements); a ``final``
    receipt records the rest as a discrepancy. Stock that arrives is offered to backorders in
    the same transaction."""
    actor = cmd.principal.actor
    async with uow:
        transfer = await uow.transfers.get_for_update_or_raise(cmd.transfer_id)
        before = await current_image(uow, transfer)
        by_sku = {line.sku: line for line in await uow.transfers.lines(transfer.id)}
        plan = await _plan(uow, transfer, by_sku, cmd)
        arrived = await _put_away(uow, transfer, plan, by_sku, actor)
        at = now()
        transfer.status = plan.status.value
        if plan.status is TransferStatus.RECEIVED:
            transfer.received_at = at
        touch(transfer, actor, at)
        await uow.flush()
        view = await load_view(uow, transfer)
        uow.record(_received(cmd, plan, view, before))
        if arrived:
            uow.record(
                StockArrived(actor=actor, entity_id=transfer.number, product_ids=tuple(arrived))
            )
        await uow.commit()
    return view
