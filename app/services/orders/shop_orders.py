"""What a verified shop webhook does to Lading's orders.

``orders/create``, ``orders/updated``, ``orders/paid`` (Shopify) and ``order.created``,
``order.updated`` (WooCommerce) place the order when Lading does not have it yet — once per
(channel, external_ref), through ``PlaceOrder`` — and otherwise follow it
(``app.services.orders.shop_follow``); ``orders/cancelled`` and ``order.deleted`` cancel it.
A payload Lading cannot take comes back as a refusal, never as an error: the webhook is
answered 200 and kept as a rejected intake."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.domain.errors import DomainError
from app.domain.orders import PREPAID_CHANNELS, Channel, RequestedLine
from app.domain.payments import PaymentReport
from app.domain.storefronts import shopify, woocommerce
from app.domain.storefronts.connections import SkuMode, external_ref
from app.domain.storefronts.orders import UNIT_PRICE_PLACES, MappedOrder, PayloadError
from app.repositories.storefronts import StorefrontConnection
from app.services.bus import Context
from app.services.orders.commands import CustomerRef, GivenPayment, PlaceOrder
from app.services.orders.queries import PlaceResult
from app.services.orders.shop_customers import customer_of
from app.services.orders.shop_follow import cancel_from_shop, follow
from app.services.orders.shop_outcome import Outcome, refused, shop_principal
from app.services.unit_of_work import UnitOfWork

MAPPERS: dict[str, Callable[[Any], MappedOrder]] = {
    "shopify": shopify.map_order,
    "woocommerce": woocommerce.map_order,
}
# (platform, topic) → what it asks of Lading
ACTIONS = {
    ("shopify", "orders/create"): "upsert",
    ("shopify", "orders/updated"): "upsert",
    ("shopify", "orders/paid"): "upsert",
    ("shopify", "orders/cancelled"): "cancel",
    ("woocommerce", "order.created"): "upsert",
    ("woocommerce", "order.updated"): "upsert",
    ("woocommerce", "order.deleted"): "cancel",
}


async def apply_webhook(
    uow: UnitOfWork, ctx: Context, connection: StorefrontConnection, topic: str, body: Any
) -> Outcome:
    action = ACTIONS.get((connection.platform, topic))
    if action is None:
        return Outcome("ignored")
    order_id: str | None = None
    try:
        if action == "cancel" and connection.platform == "woocommerce":
            order_id = woocommerce.order_id_of(body)
            return await cancel_from_shop(uow, ctx, connection, order_id)
        mapped = MAPPERS[connection.platform](body)
        order_id = mapped.order_id
        if action == "cancel" or mapped.cancelled:
            return await cancel_from_shop(uow, ctx, connection, mapped.order_id)
        async with uow:
            existing = await uow.orders.get_by_external_ref(
                connection.channel, external_ref(connection.code, mapped.order_id)
            )
        if existing is not None:
            return await follow(uow, ctx, connection, existing.id, mapped)
        return await place(uow, ctx, connection, mapped)
    except (DomainError, PayloadError) as exc:
        return refused(exc, order_id)


async def place(
    uow: UnitOfWork, ctx: Context, connection: StorefrontConnection, mapped: MappedOrder
) -> Outcome:
    """Place the shop's order, submitted, at the shop's prices, with its payment."""
    lines = await _requested_lines(uow, connection, mapped)
    customer_id = await customer_of(uow, connection, mapped)
    channel = Channel(connection.channel)
    command = PlaceOrder(
        principal=shop_principal(connection),
        channel=channel,
        external_ref=external_ref(connection.code, mapped.order_id),
        customer=CustomerRef(id=customer_id),
        ship_to=mapped.ship_to,
        currency=mapped.currency,
        lines=lines,
        payment=_payment(mapped) if channel in PREPAID_CHANNELS else None,
        notes=mapped.notes(),
        submit=True,
    )
    result: PlaceResult = await ctx.bus.handle(command, uow)
    order = result.view.order
    await _keep(uow, connection, mapped, order.id)
    return Outcome("accepted", order.id, order.number, mapped.order_id)


def _payment(mapped: MappedOrder) -> GivenPayment:
    if mapped.payment == "unpaid":
        return GivenPayment(status=PaymentReport.UNPAID)
    return GivenPayment(
        status=PaymentReport(mapped.payment),
        reference=f"{mapped.platform}:{mapped.order_id}"[:100],
        amount=mapped.total,
        currency=mapped.currency,
    )


async def _requested_lines(
    uow: UnitOfWork, connection: StorefrontConnection, mapped: MappedOrder
) -> tuple[RequestedLine, ...]:
    """The shop's lines by Lading SKU (lines of one SKU merged, at their average price)."""
    table: Mapping[str, str] = {}
    if connection.sku_mode == SkuMode.MAPPING:
        async with uow:
            table = await uow.storefronts.sku_map(connection.id)
    merged: dict[str, tuple[Decimal, Decimal]] = {}
    for i, line in enumerate(mapped.lines):
        sku = table.get(line.key) if connection.sku_mode == SkuMode.MAPPING else line.key
        if not sku or sku.startswith("product:"):
            raise PayloadError(f"line_items.{i}.sku", f"no Lading SKU for '{line.key}'")
        qty, net = merged.get(sku, (Decimal(0), Decimal(0)))
        merged[sku] = (qty + line.quantity, net + line.unit_price * line.quantity)
    if not merged:
        raise PayloadError("line_items", "the order has no lines")
    return tuple(
        RequestedLine(sku, qty, (net / qty).quantize(UNIT_PRICE_PLACES, ROUND_HALF_UP))
        for sku, (qty, net) in merged.items()
    )


async def _keep(
    uow: UnitOfWork,
    connection: StorefrontConnection,
    mapped: MappedOrder,
    order_id: uuid.UUID,
) -> None:
    """What Lading keeps of the shop order: its name, the platform's line ids per SKU."""
    table: Mapping[str, str] = {}
    if connection.sku_mode == SkuMode.MAPPING:
        async with uow:
            table = await uow.storefronts.sku_map(connection.id)
    shop_lines = [
        {
            "line_item_id": x.line_item_id,
            "sku": table.get(x.key, x.key),
            "quantity": str(x.quantity),
        }
        for x in mapped.lines
    ]
    async with uow:
        await uow.storefronts.keep_shop_order(
            {
                "connection_id": connection.id,
                "platform_order_id": mapped.order_id,
                "name": mapped.name[:64],
                "order_id": order_id,
                "lines": shop_lines,
                "shipping": [{"title": s.title, "amount": str(s.amount)} for s in mapped.shipping],
                "currency": mapped.currency,
                "platform_total": mapped.total,
                "tax_total": mapped.tax_total,
            }
        )
        await uow.commit()
