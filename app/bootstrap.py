"""The composition root: the message bus with its tables, and units of work that use it.

The reaction table below is the one place that says what happens when something happens. A new
reaction is one handler (``async def on_x(event, uow, ctx)`` beside the use cases of the
aggregate it changes) and one line here. Handlers run in the order listed, inside the
transaction of the command whose event they react to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

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
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services import allocation, order_review, shipments
from app.services.bus import CommandHandler, EventHandler, MessageBus
from app.services.purchasing.commands import (
    CancelPurchaseOrder,
    CreatePurchaseOrder,
    CreateReplenishmentOrders,
    ReceivePurchaseOrder,
    SendPurchaseOrder,
)
from app.services.purchasing.create import create_purchase_order
from app.services.purchasing.lifecycle import cancel_purchase_order, send_purchase_order
from app.services.purchasing.receive import receive_purchase_order
from app.services.purchasing.replenish import create_from_suggestions
from app.services.transfers.cancel import cancel_transfer
from app.services.transfers.commands import (
    CancelTransfer,
    CreateTransfer,
    ReceiveTransfer,
    ShipTransfer,
)
from app.services.transfers.create import create_transfer
from app.services.transfers.reactions import on_consolidation_planned
from app.services.transfers.receive import receive_transfer
from app.services.transfers.ship import ship_transfer
from app.settings import Settings

REACTIONS: dict[type[Event], Sequence[EventHandler]] = {
    OrderSubmitted: [order_review.on_order_submitted],
    OrderEdited: [order_review.on_order_edited],
    OrderApproved: [allocation.on_order_approved],
    OrderEditStarted: [allocation.on_order_released],
    OrderCancelled: [allocation.on_order_released],
    OrderRejected: [allocation.on_order_released],
    ConsolidationPlanned: [on_consolidation_planned],
    StockArrived: [allocation.on_stock_arrived],
    ShortPicked: [allocation.on_short_picked],
    CarrierReportedDelivery: [shipments.on_carrier_reported_delivery],
}

COMMANDS: dict[type, CommandHandler] = {
    # purchasing
    CreatePurchaseOrder: create_purchase_order,
    CreateReplenishmentOrders: create_from_suggestions,
    SendPurchaseOrder: send_purchase_order,
    CancelPurchaseOrder: cancel_purchase_order,
    ReceivePurchaseOrder: receive_purchase_order,
    # transfers
    CreateTransfer: create_transfer,
    ShipTransfer: ship_transfer,
    ReceiveTransfer: receive_transfer,
    CancelTransfer: cancel_transfer,
}


def build_bus(settings: Settings) -> MessageBus:
    return MessageBus(settings, commands=COMMANDS, reactions=REACTIONS)


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
