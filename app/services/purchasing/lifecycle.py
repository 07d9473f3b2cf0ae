"""Sending and cancelling a purchase order."""

from __future__ import annotations

import uuid

from app.domain.auth import Principal
from app.domain.events import Event, PurchaseOrderCancelled, PurchaseOrderSent
from app.domain.purchasing import PurchaseOrderStatus, check_cancel, check_send
from app.repositories.base import snapshot
from app.services.bus import Context
from app.services.common import retrying
from app.services.purchasing.commands import CancelPurchaseOrder, SendPurchaseOrder
from app.services.purchasing.views import PurchaseOrderView, image, load_view
from app.services.unit_of_work import UnitOfWork

_EVENTS: dict[PurchaseOrderStatus, type[Event]] = {
    PurchaseOrderStatus.SENT: PurchaseOrderSent,
    PurchaseOrderStatus.CANCELLED: PurchaseOrderCancelled,
}


async def _transition(
    uow: UnitOfWork,
    purchase_order_id: uuid.UUID,
    principal: Principal,
    target: PurchaseOrderStatus,
) -> PurchaseOrderView:
    async with uow:
        order = await uow.purchasing.get_for_update_or_raise(purchase_order_id)
        if target is PurchaseOrderStatus.SENT:
            check_send(order.status, order.number)
        else:
            check_cancel(order.status, order.number)
        before = snapshot(order)
        order.status = target
        await uow.flush()
        view = await load_view(uow, order)
        after = image(view)
        uow.record(
            _EVENTS[target](actor=principal.actor, entity_id=order.id, before=before, after=after)
        )
        await uow.commit()
    return view


@retrying
async def send_purchase_order(
    cmd: SendPurchaseOrder, uow: UnitOfWork, ctx: Context
) -> PurchaseOrderView:
    """draft → sent: the order is now placed with the supplier."""
    return await _transition(uow, cmd.purchase_order_id, cmd.principal, PurchaseOrderStatus.SENT)


@retrying
async def cancel_purchase_order(
    cmd: CancelPurchaseOrder, uow: UnitOfWork, ctx: Context
) -> PurchaseOrderView:
    """A draft or sent order is cancelled; anything received already cannot be."""
    return await _transition(
        uow, cmd.purchase_order_id, cmd.principal, PurchaseOrderStatus.CANCELLED
    )
