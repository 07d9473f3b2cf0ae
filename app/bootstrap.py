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
from app.services import allocation, order_review, shipments, transfers
from app.services.auth import api_keys, login, users
from app.services.auth.commands import CreateApiKey, CreateUser, IssueToken, RevokeApiKey
from app.services.bus import CommandHandler, EventHandler, MessageBus
from app.services.customers import handlers as customers
from app.services.customers.commands import CreateCustomer, UpdateCustomer
from app.services.exchange_rates import handlers as exchange_rates
from app.services.exchange_rates.commands import CreateExchangeRate
from app.services.price_lists import handlers as price_lists
from app.services.price_lists.commands import CreatePriceList, UpdatePriceList
from app.services.products import handlers as products
from app.services.products.commands import CreateProduct, UpdateProduct
from app.services.suppliers import handlers as suppliers
from app.services.suppliers.commands import CreateSupplier, UpdateSupplier
from app.services.warehouses import bins
from app.services.warehouses import handlers as warehouses
from app.services.warehouses.commands import CreateWarehouse, SetBinLocation, UpdateWarehouse
from app.settings import Settings

REACTIONS: dict[type[Event], Sequence[EventHandler]] = {
    OrderSubmitted: [order_review.on_order_submitted],
    OrderEdited: [order_review.on_order_edited],
    OrderApproved: [allocation.on_order_approved],
    OrderEditStarted: [allocation.on_order_released],
    OrderCancelled: [allocation.on_order_released],
    OrderRejected: [allocation.on_order_released],
    ConsolidationPlanned: [transfers.on_consolidation_planned],
    StockArrived: [allocation.on_stock_arrived],
    ShortPicked: [allocation.on_short_picked],
    CarrierReportedDelivery: [shipments.on_carrier_reported_delivery],
}

COMMANDS: dict[type, CommandHandler] = {
    # auth
    CreateApiKey: api_keys.create_api_key,
    CreateUser: users.create_user,
    IssueToken: login.issue_access_token,
    RevokeApiKey: api_keys.revoke_api_key,
    # customers
    CreateCustomer: customers.create_customer,
    UpdateCustomer: customers.update_customer,
    # exchange rates
    CreateExchangeRate: exchange_rates.create_exchange_rate,
    # price lists
    CreatePriceList: price_lists.create_price_list,
    UpdatePriceList: price_lists.update_price_list,
    # products
    CreateProduct: products.create_product,
    UpdateProduct: products.update_product,
    # suppliers
    CreateSupplier: suppliers.create_supplier,
    UpdateSupplier: suppliers.update_supplier,
    # warehouses
    CreateWarehouse: warehouses.create_warehouse,
    SetBinLocation: bins.set_bin_location,
    UpdateWarehouse: warehouses.update_warehouse,
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
