"""What billing does when something happens elsewhere (the bus's table in app/bootstrap.py)."""

from __future__ import annotations

from app.domain import order_lines as lines_domain
from app.domain.billing.events import InvoiceSettlementChanged
from app.domain.billing.invoices import InvoiceStatus, InvoicingPolicy, settlement_of
from app.domain.events import ShipmentConfirmed, ShipmentDelivered
from app.services.billing.invoicing import invoice_shipments
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


async def on_shipment_confirmed(event: ShipmentConfirmed, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: goods left — customers invoiced on shipment get their invoice now."""
    await _invoice_if(uow, ctx, event, InvoicingPolicy.ON_SHIPMENT)


async def on_shipment_delivered(event: ShipmentDelivered, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: goods handed over — customers invoiced on delivery get their invoice now."""
    await _invoice_if(uow, ctx, event, InvoicingPolicy.ON_DELIVERY)


async def _invoice_if(
    uow: UnitOfWork,
    ctx: Context,
    event: ShipmentConfirmed | ShipmentDelivered,
    policy: InvoicingPolicy,
) -> None:
    shipment = await uow.shipments.get(event.entity_uuid)
    assert shipment is not None
    order = await uow.orders.get(shipment.order_id)
    assert order is not None
    customer = await uow.customers.get(order.customer_id)
    assert customer is not None
    if customer.invoicing_policy != policy:
        return
    invoice = await invoice_shipments(
        uow, ctx, customer, [shipment], actor=event.actor, source=policy.value
    )
    if invoice is not None:
        event.results.append(invoice.number)


async def on_settlement_changed(
    event: InvoiceSettlementChanged, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: what is applied to an invoice moved — the orders it bills derive their
    billing status again (paid once every invoice of theirs is settled)."""
    for order_id in await uow.invoices.order_ids([event.entity_uuid]):
        order = await uow.orders.get_for_update(order_id)
        assert order is not None
        invoices = await uow.invoices.of_orders([order_id])
        state = settlement_of(
            (i.total, i.amount_paid, i.amount_credited)
            for i in invoices
            if i.status == InvoiceStatus.ISSUED
        )
        lines_domain.settle(order, await uow.orders.lines(order_id), state)
