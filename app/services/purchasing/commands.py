"""The commands of purchasing: what a caller asks for, in plain values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class PurchaseItem:
    sku: str
    quantity: Decimal
    unit_price: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class CreatePurchaseOrder:
    """A draft purchase order from a supplier (by code) into a warehouse (by code); the
    expected date defaults to today + the supplier's lead time."""

    principal: Principal
    supplier: str
    warehouse: str
    lines: tuple[PurchaseItem, ...]
    expected_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class CreateReplenishmentOrders:
    """The current replenishment suggestions become draft purchase orders, one per preferred
    supplier, delivered to ``warehouse`` (a code)."""

    principal: Principal
    warehouse: str


@dataclass(frozen=True, kw_only=True)
class SendPurchaseOrder:
    principal: Principal
    purchase_order_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class CancelPurchaseOrder:
    principal: Principal
    purchase_order_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReceiptItem:
    sku: str
    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class ReceivePurchaseOrder:
    principal: Principal
    purchase_order_id: uuid.UUID
    lines: tuple[ReceiptItem, ...]
