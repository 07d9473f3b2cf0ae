"""Reaction: a backorder on a ``make_to_order`` line becomes a production request for exactly
that shortage, linked to the line. Shortages of one product before release are combined
into its open draft, each keeping its link; a line already covered by open requests gets no
second one."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from app.domain import order_lines
from app.domain import production as rules
from app.domain.events import OrderBackordered, ProductionCreated, ProductionUpdated
from app.domain.production import ProductionSource, SupplyMethod
from app.repositories.orders import Order, OrderLine
from app.repositories.production import ProductionRequestLine
from app.repositories.products import Product
from app.services.bus import Context
from app.services.production.planning import new_request, production_warehouse
from app.services.production.views import image, load_view
from app.services.unit_of_work import UnitOfWork


async def on_order_backordered(event: OrderBackordered, uow: UnitOfWork, ctx: Context) -> None:
    order = await uow.orders.get_or_raise(event.entity_uuid)
    lines = await uow.orders.lines(order.id)
    short = {x.id: order_lines.outstanding(x) for x in lines if order_lines.outstanding(x) > 0}
    if not short:
        return
    products = await uow.products.get_many_by_sku([x.sku for x in lines if x.id in short])
    made = [
        x
        for x in lines
        if x.id in short and products[x.sku].supply_method == SupplyMethod.MAKE_TO_ORDER
    ]
    if not made:
        return
    covered = await uow.production.covered([x.id for x in made])
    for line in made:
        missing = short[line.id] - covered.get(line.id, Decimal(0))
        if missing > 0:
            await _make_for(uow, ctx, event.actor, order, line, products[line.sku], missing)


async def _make_for(
    uow: UnitOfWork,
    ctx: Context,
    actor: str,
    order: Order,
    line: OrderLine,
    product: Product,
    quantity: Decimal,
) -> None:
    warehouse_id = await production_warehouse(uow, product)
    today = datetime.now(UTC).date()
    due = rules.due_date(
        today,
        product.production_lead_days,
        order.requested_delivery_date,
        ctx.settings.production_transit_days,
    )
    draft = await uow.production.draft_for_update(
        product.id, warehouse_id, ProductionSource.SHORTAGE.value
    )
    before = image(await load_view(uow, draft)) if draft is not None else None
    if draft is None:
        draft = await new_request(
            uow,
            product,
            warehouse_id,
            quantity,
            due,
            source=ProductionSource.SHORTAGE,
            actor=actor,
            priority=order.priority,
        )
    else:
        draft.quantity += quantity
        draft.due_date = min(draft.due_date, due)
        draft.priority = max(draft.priority, order.priority)
        draft.updated_at = datetime.now(UTC)
        draft.updated_by = actor
    uow.production.add(
        ProductionRequestLine(
            request_id=draft.id, order_id=order.id, order_line_id=line.id, quantity=quantity
        )
    )
    await uow.flush()
    view = await load_view(uow, draft)
    if before is None:
        uow.record(ProductionCreated(actor=actor, entity_id=draft.id, after=image(view)))
    else:
        uow.record(
            ProductionUpdated(actor=actor, entity_id=draft.id, before=before, after=image(view))
        )
