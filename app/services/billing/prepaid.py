"""Prepaid storefront orders: the payment reported on an order becomes a payment, which
settles the order's invoices by itself.

- When an order of a prepaid channel (the storefront) stands ``paid`` — at intake, or
  reported later — a ``storefront_gateway`` payment of the reported amount is received for
  it (``order_id`` set, the order's payment reference), once: an order that already has a
  (not reversed) payment gets no second one.
- It is applied at once to the order's issued invoices that still owe, and whenever an
  invoice of the order is issued later (``InvoiceIssued``).
- A payment reported later as lower or unpaid changes nothing here: money already received is
  not reversed by a storefront's report; finance reverses the payment
  (``POST /payments/{id}/reverse``) when the gateway confirms it bounced.
- A ``paid`` report on an order of another channel (finance's flag on a phone order) makes
  no payment: finance records the money with ``POST /payments``, so it is never counted twice.
"""

from __future__ import annotations

from datetime import UTC, datetime

from app.domain.billing.events import InvoiceIssued
from app.domain.billing.invoices import balance
from app.domain.billing.settlement import PaymentMethod, unapplied
from app.domain.events import OrderPaymentUpdated, OrderPlaced
from app.domain.orders import PREPAID_CHANNELS, PaymentStatus
from app.repositories.invoices import Invoice
from app.repositories.payments import Payment
from app.services.billing.settling import apply_payment, receive_payment
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


async def on_order_payment_reported(
    event: OrderPlaced | OrderPaymentUpdated, uow: UnitOfWork, ctx: Context
) -> None:
    """Reaction: an order's payment was reported; paid in full, it becomes a payment."""
    order = await uow.orders.get(event.entity_uuid)
    if order is None or order.payment_status != PaymentStatus.PAID:
        return
    if order.channel not in PREPAID_CHANNELS:
        return  # a paid flag on a manual order is a note; finance records the money itself
    if not isinstance(event, OrderPlaced) and await uow.payments.for_order(order.id):
        return  # a new order has no payment yet: no statement spent on the hot path
    customer = await uow.customers.get_or_raise(order.customer_id)
    payment = await receive_payment(
        uow,
        customer,
        amount=order.payment_amount or order.total,
        currency=order.currency,
        method=PaymentMethod.STOREFRONT_GATEWAY,
        reference=order.payment_reference,
        received_on=datetime.now(UTC).date(),
        actor=event.actor,
        order_id=order.id,
        write_now=not isinstance(event, OrderPlaced),  # written with its new order at commit
    )
    if isinstance(event, OrderPlaced):
        return  # nothing is invoiced yet
    for invoice in await uow.invoices.open_of_order_for_update(order.id):
        await _settle(uow, payment, invoice, event.actor)


async def on_invoice_issued(event: InvoiceIssued, uow: UnitOfWork, ctx: Context) -> None:
    """Reaction: an invoice was issued — the unapplied payments of its orders settle it."""
    actor = event.actor
    invoice = await uow.invoices.get_for_update_or_raise(event.entity_uuid)
    for order_id in await uow.invoices.order_ids([invoice.id]):
        for payment in await uow.payments.for_order(order_id, lock=True):
            await _settle(uow, payment, invoice, actor)


async def _settle(uow: UnitOfWork, payment: Payment, invoice: Invoice, actor: str) -> None:
    """Apply what the payment has left, up to what the invoice owes (same currency only)."""
    if payment.currency != invoice.currency:
        return
    left = unapplied(payment.amount, payment.amount_applied, payment.amount_refunded)
    owed = balance(invoice.total, invoice.amount_paid, invoice.amount_credited)
    amount = min(left, owed)
    if amount > 0:
        await apply_payment(uow, payment, invoice, amount, actor=actor)
