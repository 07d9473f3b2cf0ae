"""The notifications route: routed outbox events become notification rows, rendered now from
what the database holds (the order, its lines, the customer, the shipment and its tracking
link; a return and its lines), in the routing transaction. An event routed twice makes
nothing twice (the rows' unique key is the subject, kind, step and channel)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.notifications.kinds import (
    RETURN_KINDS,
    SHIPMENT_KINDS,
    NotificationKind,
    Subject,
    kind_of,
    subject_of,
)
from app.repositories.carriers import CarrierRepository
from app.repositories.customers import Customer, CustomerRepository
from app.repositories.events import OutboxEvent
from app.repositories.invoices import InvoiceRepository
from app.repositories.notifications import NotificationRepository
from app.repositories.orders import Order, OrderRepository
from app.repositories.payments import PaymentRepository
from app.repositories.shipments import ShipmentRepository
from app.services.notifications import context as ctx
from app.services.notifications.making import Occasion, make
from app.services.notifications.templates_store import Templates
from app.settings import Settings
from app.worker.notify.returns import return_context

log = logging.getLogger(__name__)


async def route_notifications(
    session: AsyncSession, events: Sequence[OutboxEvent], settings: Settings
) -> None:
    """``app.worker.schedule.ROUTES`` entry: one notification per channel for each event that
    tells someone something (``app.domain.notifications.kinds.kind_of``)."""
    wanted = [(e, kind) for e in events if (kind := kind_of(e.event_type, e.payload))]
    if not wanted:
        return
    repo = NotificationRepository(session)
    templates = await Templates.load(repo)
    for event, kind in wanted:
        try:
            occasion = await occasion_for(session, event, kind, settings)
        except (ValueError, KeyError, TypeError):
            # An event whose payload does not name its subject (a malformed id) is not ours
            # to hold up: the other routes (webhooks, ...) still take it.
            occasion = None
        if occasion is None:
            log.warning(
                "notification.subject_missing",
                extra={"event_id": str(event.id), "event_type": event.event_type},
            )
            continue
        await make(repo, templates, occasion)


async def occasion_for(
    session: AsyncSession, event: OutboxEvent, kind: NotificationKind, settings: Settings
) -> Occasion | None:
    if kind is NotificationKind.ALERT_RAISED:
        return _alert(event, settings)
    subject = subject_of(kind, event.aggregate_type, event.aggregate_id, event.payload)
    found = await _customer_context(session, kind, uuid.UUID(subject.id), settings)
    if found is None:
        return None
    context, customer, order_id = found
    return Occasion(
        kind=kind,
        subject=subject,
        context=context,
        language=customer.language,
        customer=customer,
        order_id=order_id,
        outbox_event_id=event.id,
    )


Found = tuple[ctx.Context, Customer, uuid.UUID | None]


async def _customer_context(
    session: AsyncSession, kind: NotificationKind, subject_id: uuid.UUID, settings: Settings
) -> Found | None:
    if kind in SHIPMENT_KINDS:
        shipment = await shipment_context(session, subject_id, settings)
        if shipment is None:
            return None
        context, customer, order = shipment
        return context, customer, order.id
    if kind is NotificationKind.ORDER_CONFIRMED:
        return await order_context(session, subject_id, settings)
    if kind in RETURN_KINDS:
        return await return_context(session, subject_id, settings)
    customers = CustomerRepository(session)
    base: ctx.Context = {"company": ctx.company(settings)}
    if kind is NotificationKind.INVOICE_ISSUED:
        invoice = await InvoiceRepository(session).get(subject_id)
        if invoice is None:
            return None
        owner = await customers.get(invoice.customer_id)
        today = datetime.now(UTC).date()
        base["invoice"] = ctx.invoice_part(invoice, today)
    else:
        refund = await PaymentRepository(session).refund(subject_id)
        if refund is None:
            return None
        owner = await customers.get(refund.customer_id)
        base["refund"] = ctx.refund_part(refund)
    assert owner is not None
    base["customer"] = ctx.customer_part(owner)
    return base, owner, None


async def order_context(
    session: AsyncSession, order_id: uuid.UUID, settings: Settings
) -> Found | None:
    order = await OrderRepository(session).get(order_id)
    if order is None:
        return None
    customer = await CustomerRepository(session).get(order.customer_id)
    assert customer is not None
    context = {
        "company": ctx.company(settings),
        "customer": ctx.customer_part(customer),
        "order": ctx.order_part(order, await OrderRepository(session).lines(order.id)),
    }
    return context, customer, order.id


def _alert(event: OutboxEvent, settings: Settings) -> Occasion:
    """Staff of the alert's role, by email, in ``LADING_STAFF_LANGUAGE``."""
    payload = dict(event.payload)
    role = str(payload.get("role", ""))
    return Occasion(
        kind=NotificationKind.ALERT_RAISED,
        subject=Subject("alert", str(payload.get("id") or event.aggregate_id)),
        context={"company": ctx.company(settings), "alert": payload},
        language=settings.staff_language,
        staff=tuple(settings.staff_emails.get(role, ())),
        outbox_event_id=event.id,
    )


async def shipment_context(
    session: AsyncSession, shipment_id: uuid.UUID, settings: Settings
) -> tuple[ctx.Context, Customer, Order] | None:
    shipment = await ShipmentRepository(session).get(shipment_id)
    if shipment is None:
        return None
    order = await OrderRepository(session).get(shipment.order_id)
    assert order is not None
    customer = await CustomerRepository(session).get(order.customer_id)
    assert customer is not None
    carrier = (
        await CarrierRepository(session).get(shipment.carrier_id) if shipment.carrier_id else None
    )
    context = {
        "company": ctx.company(settings),
        "customer": ctx.customer_part(customer),
        "order": ctx.order_part(order, await OrderRepository(session).lines(order.id)),
        "shipment": ctx.shipment_part(shipment, carrier, settings),
    }
    return context, customer, order
