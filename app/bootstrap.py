"""The composition root: the message bus with its tables, and units of work that use it.

The reaction table below is the one place that says what happens when something happens. A new
reaction is one handler (``async def on_x(event, uow, ctx)`` beside the use cases of the
aggregate it changes) and one line here. Handlers run in the order listed, inside the
transaction of the command whose event they react to. Every event that moves money
(``MoneyEvent``) lists the ledger's ``post_entry``, so its journal entry is written in the same
transaction (a test checks none is missing).

Which handler runs each command is listed per area in ``app/wiring/``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.einvoice.base import EInvoiceProvider
from app.domain.billing.events import (
    CreditNoteApplied,
    CreditNoteIssued,
    InvoiceIssued,
    InvoiceOverdue,
    InvoiceSettlementChanged,
    PaymentApplied,
    PaymentReceived,
    PaymentReversed,
    PaymentUnapplied,
    RefundPaid,
)
from app.domain.events import (
    CarrierReportedDelivery,
    ConsolidationPlanned,
    Event,
    OrderAllocated,
    OrderApproved,
    OrderBackordered,
    OrderCancelled,
    OrderEdited,
    OrderEditStarted,
    OrderPaymentUpdated,
    OrderPlaced,
    OrderRejected,
    OrderShortClosed,
    OrderSubmitted,
    ProductionCancelled,
    ProductionCompleted,
    ProductionDelayed,
    ReturnResolved,
    RouteStarted,
    ShipmentConfirmed,
    ShipmentDelivered,
    ShortPicked,
    StockArrived,
    StockMoved,
    StorefrontIntakeRejected,
    StorefrontOrderDiverged,
    StorefrontPaymentReported,
    TrackingAlerted,
    TrackingUpdated,
    WebhookEndpointDisabled,
)
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.alerts import reactions as alerts
from app.services.allocation import reactions as allocation
from app.services.billing import prepaid, return_credits
from app.services.billing import reactions as billing_reactions
from app.services.bus import CommandHandler, EventHandler, MessageBus
from app.services.ledger.posting import post_entry
from app.services.order_review.payments import on_storefront_payment_reported
from app.services.order_review.recheck import on_money_applied
from app.services.order_review.review import on_order_edited, on_order_submitted
from app.services.production import shortages
from app.services.routing import dispatch
from app.services.shipments.reactions import on_carrier_reported_delivery, on_route_started
from app.services.storefronts import reactions as storefronts_out
from app.services.storefronts import stock as shop_stock
from app.services.transfers.reactions import on_consolidation_planned
from app.settings import Settings
from app.wiring import (
    after_sales,
    billing,
    documents,
    master_data,
    notifications,
    orders,
    production,
    routing,
    shipping,
    storefronts,
    warehouse,
    webhooks,
)
from app.wiring import alerts as alert_wiring

REACTIONS: dict[type[Event], Sequence[EventHandler]] = {
    OrderSubmitted: [on_order_submitted],
    OrderEdited: [on_order_edited],
    OrderApproved: [allocation.on_order_approved],
    # stock reserved: what a shop may sell changed
    OrderAllocated: [shop_stock.on_order_stock_changed],
    # a make-to-order line's shortage becomes a production request
    OrderBackordered: [shortages.on_order_backordered],
    # a late production request raises its alert; finished, the alert is resolved
    ProductionDelayed: [alerts.on_production_delayed],
    ProductionCompleted: [alerts.on_production_closed],
    ProductionCancelled: [alerts.on_production_closed],
    OrderEditStarted: [allocation.on_order_released],
    # a shop's order cancelled by Lading is cancelled in the shop too
    OrderCancelled: [
        allocation.on_order_released,
        storefronts_out.on_order_cancelled,
        shop_stock.on_order_stock_changed,
    ],
    OrderRejected: [allocation.on_order_released, shop_stock.on_order_stock_changed],
    OrderShortClosed: [allocation.on_order_released, shop_stock.on_order_stock_changed],
    ConsolidationPlanned: [on_consolidation_planned],
    # (and what a shop may sell changed: marked for the stock push)
    StockArrived: [
        allocation.on_stock_arrived,
        alerts.on_stock_arrived,
        shop_stock.on_stock_arrived,
    ],
    ShortPicked: [allocation.on_short_picked],
    CarrierReportedDelivery: [on_carrier_reported_delivery],
    # order to cash
    # (and a shop's order gets its fulfilment with tracking)
    ShipmentConfirmed: [
        billing_reactions.on_shipment_confirmed,
        storefronts_out.on_shipment_confirmed,
    ],
    # an own-fleet delivery closes its stop on the day's delivery plan
    ShipmentDelivered: [
        billing_reactions.on_shipment_delivered,
        dispatch.on_shipment_delivered,
        storefronts_out.on_shipment_delivered,
    ],
    # a route leaving the depot confirms its shipments
    RouteStarted: [on_route_started],
    # after the receivable is posted, the prepaid payments of the invoice's orders settle it
    # an exchange order's invoice takes the returned goods' credit
    InvoiceIssued: [post_entry, prepaid.on_invoice_issued, return_credits.on_invoice_issued],
    # a return resolved as an exchange has its goods credited
    ReturnResolved: [return_credits.on_return_resolved],
    # a prepaid (storefront) order's payment, at intake or reported later, becomes a payment
    OrderPlaced: [prepaid.on_order_payment_reported],
    OrderPaymentUpdated: [prepaid.on_order_payment_reported],
    InvoiceSettlementChanged: [
        billing_reactions.on_settlement_changed,
        alerts.on_settlement_changed,
    ],
    PaymentReceived: [post_entry],
    # money applied re-reviews the customer's orders held for credit (after the entry)
    PaymentApplied: [post_entry, on_money_applied],
    PaymentUnapplied: [post_entry],
    PaymentReversed: [post_entry],
    RefundPaid: [post_entry],
    CreditNoteIssued: [post_entry],
    CreditNoteApplied: [post_entry, on_money_applied],
    # exception alerts (the time-based rules are the worker's scan)
    TrackingAlerted: [alerts.on_tracking_alerted],
    TrackingUpdated: [alerts.on_tracking_updated, storefronts_out.on_tracking_updated],
    InvoiceOverdue: [alerts.on_invoice_overdue],
    StockMoved: [alerts.on_stock_moved, shop_stock.on_stock_moved],
    WebhookEndpointDisabled: [alerts.on_endpoint_disabled],
    # storefront connectors: a shop's payment report is recorded as any is; a refused
    # webhook and an order the shop changed past what Lading can follow raise alerts
    StorefrontPaymentReported: [on_storefront_payment_reported],
    StorefrontIntakeRejected: [alerts.on_storefront_intake_rejected],
    StorefrontOrderDiverged: [alerts.on_storefront_order_diverged],
}


def _commands(*tables: dict[type, CommandHandler]) -> dict[type, CommandHandler]:
    """The command tables as one; a command in two of them is refused at import."""
    out: dict[type, CommandHandler] = {}
    for table in tables:
        twice = out.keys() & table.keys()
        if twice:
            raise RuntimeError(f"commands listed twice: {sorted(k.__name__ for k in twice)}")
        out.update(table)
    return out


COMMANDS = _commands(
    orders.COMMANDS,
    warehouse.COMMANDS,
    shipping.COMMANDS,
    master_data.COMMANDS,
    billing.COMMANDS,
    notifications.COMMANDS,
    alert_wiring.COMMANDS,
    webhooks.COMMANDS,
    after_sales.COMMANDS,
    production.COMMANDS,
    routing.COMMANDS,
    documents.COMMANDS,
    storefronts.COMMANDS,
)


def build_bus(settings: Settings, *, einvoice: EInvoiceProvider | None = None) -> MessageBus:
    """The bus of every command and reaction; ``einvoice`` replaces the local e-invoice
    provider (tests pass a fake)."""
    return MessageBus(settings, commands=COMMANDS, reactions=REACTIONS, einvoice=einvoice)


def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession], bus: MessageBus
) -> SqlAlchemyUnitOfWork:
    return SqlAlchemyUnitOfWork(sessionmaker, bus)


def uow_factory(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> Callable[[], SqlAlchemyUnitOfWork]:
    """Units of work on one bus built from ``settings`` (worker, CLI, demo, benchmarks)."""
    bus = build_bus(settings)
    return lambda: SqlAlchemyUnitOfWork(sessionmaker, bus)
