"""What a shop is told, written to the outbox in the transaction of what happened: a shipment
of its order confirmed (fulfilment with tracking), delivered or returned, and its order
cancelled by Lading (never echoing a cancellation that came from the shop). The worker sends
them (``app.worker.storefronts``). Orders of no shop cost one indexed lookup."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from app.domain.events import (
    OrderCancelled,
    ShipmentConfirmed,
    ShipmentDelivered,
    StorefrontCancelDue,
    StorefrontDeliveryDue,
    StorefrontFulfilmentDue,
    TrackingUpdated,
)
from app.domain.storefronts.fulfilment import fulfilled_lines
from app.domain.tracking import TrackingStatus
from app.repositories.shipments import Shipment
from app.repositories.storefronts import StorefrontOrder
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork

SHOP_ACTOR = "storefront:"


async def _shop_order(uow: UnitOfWork, order_id: Any) -> StorefrontOrder | None:
    found = await uow.storefronts.shop_orders_of([order_id])
    return found[0] if found else None


async def on_shipment_confirmed(event: ShipmentConfirmed, uow: UnitOfWork, ctx: Context) -> None:
    shipment = await uow.shipments.get_or_raise(event.entity_uuid)
    shop = await _shop_order(uow, shipment.order_id)
    if shop is None:
        return
    order_lines = {x.id: x for x in await uow.orders.lines(shipment.order_id)}
    here: dict[uuid.UUID, Decimal] = {}
    for item in await uow.shipments.lines_of([shipment.id]):
        here[item.order_line_id] = here.get(item.order_line_id, Decimal(0)) + item.quantity
    shipped: dict[str, tuple[Decimal, Decimal]] = {}
    for line_id, quantity in here.items():
        line = order_lines[line_id]  # already counts this shipment
        before, now = shipped.get(line.sku, (Decimal(0), Decimal(0)))
        shipped[line.sku] = (before + line.quantity_shipped - quantity, now + quantity)
    complete = all(x.quantity_shipped >= x.quantity_ordered for x in order_lines.values())
    carrier = await uow.carriers.get(shipment.carrier_id) if shipment.carrier_id else None
    payload = {
        **_base(shop, shipment),
        "lines": fulfilled_lines(shop.lines, shipped),
        "carrier_name": carrier.name if carrier else None,
        "tracking_url": _tracking_url(ctx, shipment),
        "complete": complete,
    }
    uow.record(StorefrontFulfilmentDue(actor=event.actor, entity_id=shipment.id, payload=payload))


async def on_shipment_delivered(event: ShipmentDelivered, uow: UnitOfWork, ctx: Context) -> None:
    await _delivery(uow, event.entity_uuid, "delivered", event.actor)


async def on_tracking_updated(event: TrackingUpdated, uow: UnitOfWork, ctx: Context) -> None:
    """A carrier reports the parcel went back to the sender: the shop's timeline says so."""
    shipment = await uow.shipments.get(event.entity_uuid)
    if shipment is not None and shipment.tracking_status == TrackingStatus.RETURNED_TO_SENDER:
        await _delivery(uow, shipment.id, "returned", event.actor)


async def on_order_cancelled(event: OrderCancelled, uow: UnitOfWork, ctx: Context) -> None:
    if event.actor.startswith(SHOP_ACTOR):
        return  # the shop cancelled it: nothing to tell it
    shop = await _shop_order(uow, event.entity_uuid)
    if shop is None:
        return
    after = event.images()[1] or {}
    payload = {
        "connection_id": str(shop.connection_id),
        "order_id": shop.platform_order_id,
        "reason": str(after.get("reason") or "cancelled by the seller")[:500],
    }
    uow.record(StorefrontCancelDue(actor=event.actor, entity_id=event.entity_id, payload=payload))


async def _delivery(uow: UnitOfWork, shipment_id: Any, kind: str, actor: str) -> None:
    shipment = await uow.shipments.get_or_raise(shipment_id)
    shop = await _shop_order(uow, shipment.order_id)
    if shop is None:
        return
    payload = {**_base(shop, shipment), "event": kind}
    uow.record(StorefrontDeliveryDue(actor=actor, entity_id=shipment.id, payload=payload))


def _base(shop: StorefrontOrder, shipment: Shipment) -> dict[str, Any]:
    return {
        "connection_id": str(shop.connection_id),
        "order_id": shop.platform_order_id,
        "reference": shipment.number,
        "tracking_number": shipment.tracking_number,
    }


def _tracking_url(ctx: Context, shipment: Shipment) -> str:
    base = ctx.settings.public_base_url.rstrip("/")
    return f"{base}/api/v1/track/{shipment.tracking_token}"
