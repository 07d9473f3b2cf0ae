"""Events of stock: movements, arrivals, transfers, purchase orders and bins."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class ConsolidationPlanned(Event):
    """A ship-complete allocation needs stock moved between warehouses: a draft transfer per
    (from, to) pair is created (reaction). ``moves`` are (from, to, product, quantity)."""

    entity_type: str = "order"
    action: str = "consolidation_planned"
    audited: bool = False
    moves: tuple[tuple[uuid.UUID, uuid.UUID, uuid.UUID, Decimal], ...] = ()


@dataclass(frozen=True, kw_only=True)
class StockArrived(Event):
    """On-hand stock of these products rose (adjustment, receipt, transfer in, purchase
    receipt): the orders waiting for them are allocated (reaction). Not audited itself: the
    movements are."""

    entity_type: str = "stock"
    action: str = "arrived"
    audited: bool = False
    product_ids: tuple[uuid.UUID, ...] = ()
    # Orders the arrival was made for (a production request's): allocated before the others.
    first_order_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, kw_only=True)
class StockMoved(Event):
    """A receipt or an adjustment was recorded by hand: the movement, with the level it left
    behind, is audited and published."""

    entity_type: str = "stock_movement"
    action: str = "created"
    topic: str | None = "stock.moved"


@dataclass(frozen=True, kw_only=True)
class TransferCreated(Event):
    entity_type: str = "transfer"
    action: str = "created"
    topic: str | None = "transfer.created"


@dataclass(frozen=True, kw_only=True)
class TransferShipped(Event):
    entity_type: str = "transfer"
    action: str = "shipped"
    topic: str | None = "transfer.shipped"


@dataclass(frozen=True, kw_only=True)
class TransferReceived(Event):
    """Goods of a transfer arrived; ``action`` is the status the receipt left it in
    (``partially_received`` or ``received``)."""

    entity_type: str = "transfer"
    action: str = "received"
    topic: str | None = "transfer.received"


@dataclass(frozen=True, kw_only=True)
class TransferCancelled(Event):
    entity_type: str = "transfer"
    action: str = "cancelled"
    topic: str | None = "transfer.cancelled"


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderCreated(Event):
    entity_type: str = "purchase_order"
    action: str = "created"
    topic: str | None = "purchase_order.created"


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderSent(Event):
    entity_type: str = "purchase_order"
    action: str = "sent"
    topic: str | None = "purchase_order.sent"


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderCancelled(Event):
    entity_type: str = "purchase_order"
    action: str = "cancelled"
    topic: str | None = "purchase_order.cancelled"


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderReceived(Event):
    entity_type: str = "purchase_order"
    action: str = "received"
    topic: str | None = "purchase_order.received"


@dataclass(frozen=True, kw_only=True)
class GoodsReceiptMoved(Event):
    """A receipt movement of a purchase order was written (the same audit and outbox rows as
    any stock movement: ``stock_movement`` created, ``stock.moved``)."""

    entity_type: str = "stock_movement"
    action: str = "created"
    topic: str | None = "stock.moved"


@dataclass(frozen=True, kw_only=True)
class BinLocationSet(Event):
    entity_type: str = "bin_location"
    action: str = "set"
    topic: str | None = "bin_location.set"
