"""The release document: what the production system is sent when a request is released
(its JSON form is the protocol's, app/adapters/production)."""

from __future__ import annotations

from typing import Any

from app.adapters.production import production_system
from app.adapters.production.base import ReleasedRequest, ServedLine
from app.services.bus import Context
from app.services.production.views import ProductionView
from app.services.unit_of_work import UnitOfWork


async def release_document(uow: UnitOfWork, view: ProductionView, ctx: Context) -> dict[str, Any]:
    request = view.request
    product = await uow.products.get_or_raise(request.product_id)
    served = []
    for link in view.links:
        order = await uow.orders.get_or_raise(link.order_id)
        lines = {x.id: x for x in await uow.orders.lines(order.id)}
        served.append(ServedLine(order.number, lines[link.order_line_id].line_no, link.quantity))
    released = ReleasedRequest(
        number=request.number,
        sku=request.sku,
        product_name=product.name,
        quantity=request.quantity,
        warehouse=view.warehouse,
        due_date=request.due_date,
        priority=request.priority,
        orders=tuple(served),
    )
    secret = ctx.settings.mes_webhook_secret
    system = production_system(secret.get_secret_value() if secret else None)
    return system.release_document(released)
