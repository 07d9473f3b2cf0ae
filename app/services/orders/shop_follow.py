"""A shop order Lading already has: its payment followed, its cancellation applied while
nothing has shipped, and any other change Lading cannot apply (lines changed after Lading took
the order, a cancellation after shipping) raised as an alert rather than left to diverge."""

from __future__ import annotations

import uuid
from decimal import Decimal

from app.domain import payments
from app.domain.errors import DomainError
from app.domain.events import StorefrontOrderDiverged, StorefrontPaymentReported
from app.domain.orders import OrderStatus
from app.domain.storefronts.connections import SkuMode, external_ref
from app.domain.storefronts.orders import MappedOrder
from app.repositories.orders import Order
from app.repositories.storefronts import StorefrontConnection
from app.services.bus import Context
from app.services.common import retrying
from app.services.orders.commands import CancelOrder
from app.services.orders.shop_outcome import Outcome, refused, shop_principal
from app.services.unit_of_work import UnitOfWork

CLOSED = (OrderStatus.CANCELLED.value, OrderStatus.REJECTED.value)


async def cancel_from_shop(
    uow: UnitOfWork, ctx: Context, connection: StorefrontConnection, platform_order_id: str
) -> Outcome:
    """Cancel the Lading order unless something has shipped (then: an alert)."""
    ref = external_ref(connection.code, platform_order_id)
    async with uow:
        order = await uow.orders.get_by_external_ref(connection.channel, ref)
        if order is None:
            return Outcome("ignored", platform_order_id=platform_order_id)
        shipped = any(x.quantity_shipped > 0 for x in await uow.orders.lines(order.id))
    if order.status in CLOSED:
        return Outcome("unchanged", order.id, order.number, platform_order_id)
    if shipped:
        await _diverged(uow, connection, order.id, "cancelled in the shop after it shipped")
        return Outcome("diverged", order.id, order.number, platform_order_id)
    command = CancelOrder(
        principal=shop_principal(connection),
        order_id=order.id,
        reason=f"cancelled in {connection.platform} ({connection.code})",
    )
    try:
        await ctx.bus.handle(command, uow)
    except DomainError as exc:
        return refused(exc, platform_order_id)
    return Outcome("cancelled", order.id, order.number, platform_order_id)


async def follow(
    uow: UnitOfWork,
    ctx: Context,
    connection: StorefrontConnection,
    order_id: uuid.UUID,
    mapped: MappedOrder,
) -> Outcome:
    """An update of an order Lading has: a payment that now stands is reported; changed lines
    raise an alert (Lading does not re-cut an order the shop edited after it was taken)."""
    return await _follow(uow, connection, order_id, mapped)


@retrying
async def _follow(
    uow: UnitOfWork, connection: StorefrontConnection, order_id: uuid.UUID, mapped: MappedOrder
) -> Outcome:
    async with uow:
        order = await uow.orders.get_or_raise(order_id)
        if order.status in CLOSED:
            return Outcome("unchanged", order.id, order.number, mapped.order_id)
        ours = {x.sku: x.quantity_ordered for x in await uow.orders.lines(order.id)}
        theirs = await _shop_quantities(uow, connection, mapped)
        status = "unchanged"
        if _payment_moved(order, mapped):
            uow.record(
                StorefrontPaymentReported(
                    actor=shop_principal(connection).actor,
                    entity_id=order.id,
                    status=mapped.payment,
                    amount=mapped.total,
                    currency=mapped.currency,
                    reference=f"{mapped.platform}:{mapped.order_id}"[:100],
                )
            )
            status = "updated"
        if ours != theirs:
            _record_divergence(uow, connection, order, "the shop changed the order's lines")
            status = "diverged"
        await uow.commit()
    return Outcome(status, order.id, order.number, mapped.order_id)


def _payment_moved(order: Order, mapped: MappedOrder) -> bool:
    """The shop reports a payment that stands higher than the one Lading has."""
    if mapped.payment == "unpaid":
        return False  # money received is not reversed by a shop's report (finance does it)
    now = payments.standing(mapped.payment, mapped.total, order.total)
    return now is not None and now != order.payment_status


async def _shop_quantities(
    uow: UnitOfWork, connection: StorefrontConnection, mapped: MappedOrder
) -> dict[str, Decimal]:
    table = (
        await uow.storefronts.sku_map(connection.id)
        if connection.sku_mode == SkuMode.MAPPING
        else {}
    )
    out: dict[str, Decimal] = {}
    for line in mapped.lines:
        sku = table.get(line.key, line.key) if table else line.key
        out[sku] = out.get(sku, Decimal(0)) + line.quantity
    return out


def _record_divergence(
    uow: UnitOfWork, connection: StorefrontConnection, order: Order, reason: str
) -> None:
    uow.record(
        StorefrontOrderDiverged(
            actor=shop_principal(connection).actor,
            entity_id=order.id,
            payload={"order_id": str(order.id), "number": order.number, "reason": reason},
            number=order.number,
            reason=reason,
        )
    )


@retrying
async def _diverged(
    uow: UnitOfWork, connection: StorefrontConnection, order_id: uuid.UUID, reason: str
) -> None:
    async with uow:
        order = await uow.orders.get_or_raise(order_id)
        _record_divergence(uow, connection, order, reason)
        await uow.commit()
