"""The composition root: the message bus with its tables, and units of work that use it.

The reaction table below is the one place that says what happens when something happens. A new
reaction is one handler (``async def on_x(event, uow, ctx)`` beside the use cases of the
aggregate it changes) and one line here. Handlers run in the order listed, inside the
transaction of the command whose event they react to.
"""

from __future__ import (
    annotations,
)

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters.einvoice.base import EInvoiceProvider
from app.domain.events import (
    CarrierReportedDelivery,
    ConsolidationPlanned,
    Event,
    OrderApproved,
    OrderCancelled,
    OrderEdited,
    OrderEditStarted,
    OrderRejected,
    OrderSubmitted,
    ShortPicked,
    StockArrived,
)
from app.repositories.uow import (
    SqlAlchemyUnitOfWork,
)
from app.services.allocation import (
    reactions as allocation,
)
from app.services.allocation.allocate import (
    allocate_order,
)
from app.services.allocation.commands import (
    AllocateOrder,
    DeallocateOrder,
    ExpireUnpaidReservations,
)
from app.services.allocation.release import (
    deallocate_order,
    expire_unpaid_reservations,
)
from app.services.auth import (
    api_keys,
    login,
    users,
)
from app.services.auth.commands import (
    CreateApiKey,
    CreateUser,
    IssueToken,
    RevokeApiKey,
)
from app.services.bus import (
    CommandHandler,
    EventHandler,
    MessageBus,
)
from app.services.customers import (
    handlers as customers,
)
from app.services.customers.commands import (
    CreateCustomer,
    UpdateCustomer,
)
from app.services.exchange_rates import (
    handlers as exchange_rates,
)
from app.services.exchange_rates.commands import (
    CreateExchangeRate,
)
from app.services.order_review.approvals import (
    approve_order,
    reject_order,
)
from app.services.order_review.commands import (
    ApproveOrder,
    HoldOrder,
    RejectOrder,
    ReleaseHold,
    UpdatePayment,
    UpdateReviewSettings,
)
from app.services.order_review.holds import (
    hold_order,
    release_hold,
)
from app.services.order_review.payments import (
    update_payment,
)
from app.services.order_review.policy import (
    update_review_settings,
)
from app.services.order_review.review import (
    on_order_edited,
    on_order_submitted,
)
from app.services.orders.commands import (
    CancelOrder,
    EditOrder,
    ImportOrders,
    PlaceOrder,
    SubmitOrder,
)
from app.services.orders.edit import (
    edit_order,
)
from app.services.orders.importing import (
    import_orders,
)
from app.services.orders.lifecycle import (
    cancel_order,
    submit_order,
)
from app.services.orders.place import (
    place_order,
)
from app.services.picking.assign import (
    assign_pick_list,
)
from app.services.picking.commands import (
    AssignPickList,
    ConfirmPickList,
    CreatePickList,
)
from app.services.picking.confirm import (
    confirm_pick_list,
)
from app.services.picking.create import (
    create_pick_list,
)
from app.services.price_lists import (
    handlers as price_lists,
)
from app.services.price_lists.commands import (
    CreatePriceList,
    UpdatePriceList,
)
from app.services.products import (
    handlers as products,
)
from app.services.products.commands import (
    CreateProduct,
    UpdateProduct,
)
from app.services.purchasing.commands import (
    CancelPurchaseOrder,
    CreatePurchaseOrder,
    CreateReplenishmentOrders,
    ReceivePurchaseOrder,
    SendPurchaseOrder,
)
from app.services.purchasing.create import (
    create_purchase_order,
)
from app.services.purchasing.lifecycle import (
    cancel_purchase_order,
    send_purchase_order,
)
from app.services.purchasing.receive import (
    receive_purchase_order,
)
from app.services.purchasing.replenish import (
    create_from_suggestions,
)
from app.services.shipments.carriers.commands import (
    CreateCarrier,
    UpdateCarrier,
)
from app.services.shipments.carriers.master_data import (
    create_carrier,
    update_carrier,
)
from app.services.shipments.commands import (
    ConfirmShipment,
    CreateShipment,
    DeliverShipment,
    VerifyShipment,
)
from app.services.shipments.confirm import (
    confirm_shipment,
)
from app.services.shipments.create import (
    create_shipment,
)
from app.services.shipments.deliver import (
    deliver_shipment,
)
from app.services.shipments.labels.buy import (
    buy_label,
)
from app.services.shipments.labels.commands import (
    BuyLabel,
    RetryPendingLabels,
    VoidLabel,
)
from app.services.shipments.labels.retry import (
    retry_pending_labels,
)
from app.services.shipments.labels.void import (
    void_label,
)
from app.services.shipments.rates.commands import (
    QuoteRates,
)
from app.services.shipments.rates.quote import (
    quote_rates,
)
from app.services.shipments.reactions import (
    on_carrier_reported_delivery,
)
from app.services.shipments.tracking.commands import (
    PollTracking,
    ReceiveTrackingWebhook,
)
from app.services.shipments.tracking.inbox import (
    receive_webhook,
)
from app.services.shipments.tracking.poll import (
    poll_tracking,
)
from app.services.shipments.verify import (
    verify_shipment,
)
from app.services.stock.commands import (
    RecordMovement,
)
from app.services.stock.movements import (
    record_movement,
)
from app.services.suppliers import (
    handlers as suppliers,
)
from app.services.suppliers.commands import (
    CreateSupplier,
    UpdateSupplier,
)
from app.services.transfers.cancel import (
    cancel_transfer,
)
from app.services.transfers.commands import (
    CancelTransfer,
    CreateTransfer,
    ReceiveTransfer,
    ShipTransfer,
)
from app.services.transfers.create import (
    create_transfer,
)
from app.services.transfers.reactions import (
    on_consolidation_planned,
)
from app.services.transfers.receive import (
    receive_transfer,
)
from app.services.transfers.ship import (
    ship_transfer,
)
from app.services.warehouses import (
    bins,
)
from app.services.warehouses import (
    handlers as warehouses,
)
from app.services.warehouses.commands import (
    CreateWarehouse,
    SetBinLocation,
    UpdateWarehouse,
)
from app.settings import (
    Settings,
)
from app.wiring import billing

REACTIONS: dict[type[Event], Sequence[EventHandler]] = {
    OrderSubmitted: [on_order_submitted],
    OrderEdited: [on_order_edited],
    OrderApproved: [allocation.on_order_approved],
    OrderEditStarted: [allocation.on_order_released],
    OrderCancelled: [allocation.on_order_released],
    OrderRejected: [allocation.on_order_released],
    ConsolidationPlanned: [on_consolidation_planned],
    StockArrived: [allocation.on_stock_arrived],
    ShortPicked: [allocation.on_short_picked],
    CarrierReportedDelivery: [on_carrier_reported_delivery],
}

COMMANDS: dict[type, CommandHandler] = {
    # b
    ApproveOrder: approve_order,
    RejectOrder: reject_order,
    HoldOrder: hold_order,
    ReleaseHold: release_hold,
    UpdatePayment: update_payment,
    UpdateReviewSettings: update_review_settings,
    # c1
    AllocateOrder: allocate_order,
    DeallocateOrder: deallocate_order,
    ExpireUnpaidReservations: expire_unpaid_reservations,
    RecordMovement: record_movement,
    # c2
    CreatePurchaseOrder: create_purchase_order,
    CreateReplenishmentOrders: create_from_suggestions,
    SendPurchaseOrder: send_purchase_order,
    CancelPurchaseOrder: cancel_purchase_order,
    ReceivePurchaseOrder: receive_purchase_order,
    CreateTransfer: create_transfer,
    ShipTransfer: ship_transfer,
    ReceiveTransfer: receive_transfer,
    CancelTransfer: cancel_transfer,
    # d1
    CreatePickList: create_pick_list,
    AssignPickList: assign_pick_list,
    ConfirmPickList: confirm_pick_list,
    CreateShipment: create_shipment,
    VerifyShipment: verify_shipment,
    ConfirmShipment: confirm_shipment,
    DeliverShipment: deliver_shipment,
    # d2
    CreateCarrier: create_carrier,
    UpdateCarrier: update_carrier,
    QuoteRates: quote_rates,
    BuyLabel: buy_label,
    RetryPendingLabels: retry_pending_labels,
    VoidLabel: void_label,
    ReceiveTrackingWebhook: receive_webhook,
    PollTracking: poll_tracking,
    # e
    CreateApiKey: api_keys.create_api_key,
    CreateUser: users.create_user,
    IssueToken: login.issue_access_token,
    RevokeApiKey: api_keys.revoke_api_key,
    CreateCustomer: customers.create_customer,
    UpdateCustomer: customers.update_customer,
    CreateExchangeRate: exchange_rates.create_exchange_rate,
    CreatePriceList: price_lists.create_price_list,
    UpdatePriceList: price_lists.update_price_list,
    CreateProduct: products.create_product,
    UpdateProduct: products.update_product,
    CreateSupplier: suppliers.create_supplier,
    UpdateSupplier: suppliers.update_supplier,
    CreateWarehouse: warehouses.create_warehouse,
    SetBinLocation: bins.set_bin_location,
    UpdateWarehouse: warehouses.update_warehouse,
    # a
    PlaceOrder: place_order,
    EditOrder: edit_order,
    SubmitOrder: submit_order,
    CancelOrder: cancel_order,
    ImportOrders: import_orders,
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


def _reactions(
    *tables: dict[type[Event], Sequence[EventHandler]],
) -> dict[type[Event], Sequence[EventHandler]]:
    """The reaction tables as one: an event's handlers in the order of the tables."""
    out: dict[type[Event], list[EventHandler]] = {}
    for table in tables:
        for kind, handlers in table.items():
            out.setdefault(kind, []).extend(handlers)
    return dict(out)


REACTIONS = _reactions(REACTIONS, billing.REACTIONS)
COMMANDS = _commands(COMMANDS, billing.COMMANDS)


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
