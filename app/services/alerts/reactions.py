"""What events tell the alerts at once (the bus's table in app/bootstrap.py): carrier
exceptions open one, tracking that moves or a delivery clears the shipment's, an overdue
invoice opens one and its settlement clears it, stock moving across the reorder point opens
or clears one, a disabled webhook endpoint opens one for the administrators."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.domain.alerts import AlertSpec, Rule
from app.domain.billing.events import InvoiceOverdue, InvoiceSettlementChanged
from app.domain.billing.invoices import InvoiceStanding, standing
from app.domain.events import (
    ProductionCancelled,
    ProductionCompleted,
    ProductionDelayed,
    StockArrived,
    StockMoved,
    StorefrontIntakeRejected,
    StorefrontOrderDiverged,
    TrackingAlerted,
    TrackingUpdated,
    WebhookEndpointDisabled,
)
from app.domain.tracking import ALERTING, TrackingStatus
from app.services.alerts import stock
from app.services.alerts.raising import clear_alerts, open_alert
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork

SHIPMENT = "shipment"


async def on_tracking_alerted(event: TrackingAlerted, uow: UnitOfWork, ctx: Context) -> None:
    """A failed delivery, a return or a carrier exception: the shipment's alert opens."""
    p = event.outbox_payload()
    details = {
        "number": p.get("shipment_number"),
        "status": p.get("status"),
        "description": p.get("description"),
        "carrier": p.get("carrier"),
        "tracking_number": p.get("tracking_number"),
    }
    spec = AlertSpec(Rule.DELIVERY_EXCEPTION, str(event.entity_id), details, actor=event.actor)
    await open_alert(uow, spec)


async def on_tracking_updated(event: TrackingUpdated, uow: UnitOfWork, ctx: Context) -> None:
    """New carrier events: the shipment is not silent any more; a status past the exception
    clears that alert too, and a delivery every tracking alert of the shipment (a delivery
    recorded by hand is seen by the scan)."""
    subject = str(event.entity_id)
    await clear_alerts(uow, Rule.TRACKING_SILENT, SHIPMENT, subject, "tracking moved")
    status = event.outbox_payload().get("status")
    if status is None or TrackingStatus(status) in ALERTING:
        return
    reason = f"tracking moved on to {status}"
    await clear_alerts(uow, Rule.DELIVERY_EXCEPTION, SHIPMENT, subject, reason)
    if status == TrackingStatus.DELIVERED:
        await clear_alerts(uow, Rule.DELIVERY_LATE, SHIPMENT, subject, "delivered")


async def on_invoice_overdue(event: InvoiceOverdue, uow: UnitOfWork, ctx: Context) -> None:
    details = dict(event.outbox_payload())
    spec = AlertSpec(Rule.INVOICE_OVERDUE, str(event.entity_id), details, actor=event.actor)
    await open_alert(uow, spec)


async def on_settlement_changed(
    event: InvoiceSettlementChanged, uow: UnitOfWork, ctx: Context
) -> None:
    """Paid, credited or voided: an invoice no longer overdue has its alert resolved."""
    invoice = await uow.invoices.get(event.entity_uuid)
    if invoice is None:
        return
    now = standing(
        invoice.status,
        invoice.total,
        invoice.amount_paid,
        invoice.amount_credited,
        invoice.due_date,
        datetime.now(UTC).date(),
    )
    if now != InvoiceStanding.OVERDUE:
        reason = f"the invoice is {now.value}"
        await clear_alerts(uow, Rule.INVOICE_OVERDUE, "invoice", str(invoice.id), reason)


async def on_stock_arrived(event: StockArrived, uow: UnitOfWork, ctx: Context) -> None:
    """Stock rose: products back above their reorder point have their alert resolved."""
    await stock.check_products(uow, event.product_ids, event.actor)


async def on_stock_moved(event: StockMoved, uow: UnitOfWork, ctx: Context) -> None:
    """A receipt or adjustment by hand: the product may have crossed its reorder point."""
    _, after = event.images()
    product_id = (after or {}).get("product_id")
    if product_id is not None:
        await stock.check_products(uow, [uuid.UUID(str(product_id))], event.actor)


async def on_endpoint_disabled(
    event: WebhookEndpointDisabled, uow: UnitOfWork, ctx: Context
) -> None:
    """A webhook endpoint was switched off: the administrators are told."""
    details = {"url": event.url, "reason": event.reason}
    spec = AlertSpec(
        Rule.WEBHOOK_ENDPOINT_DISABLED, str(event.entity_id), details, actor=event.actor
    )
    await open_alert(uow, spec)


async def on_production_delayed(event: ProductionDelayed, uow: UnitOfWork, ctx: Context) -> None:
    payload = event.outbox_payload()
    details = {k: payload.get(k) for k in ("number", "sku", "due_date", "expected_date", "orders")}
    spec = AlertSpec(Rule.PRODUCTION_DELAYED, str(event.entity_id), details, actor=event.actor)
    await open_alert(uow, spec)


async def on_production_closed(
    event: ProductionCompleted | ProductionCancelled, uow: UnitOfWork, ctx: Context
) -> None:
    """Completed or cancelled: a request's delay alert is resolved."""
    request = await uow.production.get(event.entity_uuid)
    if request is not None and request.status in ("completed", "cancelled"):
        subject = str(request.id)
        reason = f"the request is {request.status}"
        await clear_alerts(uow, Rule.PRODUCTION_DELAYED, "production_request", subject, reason)


async def on_storefront_intake_rejected(
    event: StorefrontIntakeRejected, uow: UnitOfWork, ctx: Context
) -> None:
    """A shop's webhook was not taken: one open alert per shop (the rejected intakes list
    shows each refusal)."""
    details = {"connection": event.connection_code, "reason": event.reason}
    spec = AlertSpec(
        Rule.STOREFRONT_INTAKE_REJECTED, event.connection_id, details, actor=event.actor
    )
    await open_alert(uow, spec)


async def on_storefront_order_diverged(
    event: StorefrontOrderDiverged, uow: UnitOfWork, ctx: Context
) -> None:
    """The shop changed an order in a way Lading cannot follow: sales looks at it."""
    details = {"number": event.number, "reason": event.reason}
    spec = AlertSpec(
        Rule.STOREFRONT_ORDER_DIVERGED, str(event.entity_id), details, actor=event.actor
    )
    await open_alert(uow, spec)
