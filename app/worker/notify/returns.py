"""What a return (RMA) notification is rendered from: the return and its lines, the names of
the order lines it returns, the warehouse the goods come back to, and the replacement or
exchange order it was resolved with."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.repositories.customers import Customer, CustomerRepository
from app.repositories.orders import OrderRepository
from app.repositories.returns import ReturnRepository
from app.repositories.warehouses import WarehouseRepository
from app.services.notifications import context as ctx
from app.settings import Settings


async def return_context(
    session: AsyncSession, return_id: uuid.UUID, settings: Settings
) -> tuple[ctx.Context, Customer, uuid.UUID] | None:
    """(context, customer, the return's order id), or None when there is no such return."""
    returns = ReturnRepository(session)
    ret = await returns.get(return_id)
    if ret is None:
        return None
    orders = OrderRepository(session)
    order = await orders.get(ret.order_id)
    customer = await CustomerRepository(session).get(ret.customer_id)
    assert order is not None and customer is not None
    resolved_with = await orders.get(ret.resolution_order_id) if ret.resolution_order_id else None
    facts = ctx.ReturnFacts(
        ret=ret,
        lines=await returns.lines(ret.id),
        order_number=order.number,
        names={x.id: x.name for x in await orders.lines(order.id)},
        warehouse=await WarehouseRepository(session).get(ret.warehouse_id),
        resolution_order_number=resolved_with.number if resolved_with else None,
    )
    context = {
        "company": ctx.company(settings),
        "customer": ctx.customer_part(customer),
        "return": ctx.return_part(facts),
    }
    return context, customer, order.id
