"""The commands of transfers: what a caller asks for, in plain values."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class TransferItem:
    sku: str
    quantity: Decimal


@dataclass(frozen=True, kw_only=True)
class CreateTransfer:
    """A draft transfer between two warehouses named by code; repeated SKUs are merged."""

    principal: Principal
    from_warehouse: str
    to_warehouse: str
    reason: str
    lines: tuple[TransferItem, ...]
    order_id: uuid.UUID | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class ShipTransfer:
    principal: Principal
    transfer_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ReceivedItem:
    sku: str
    quantity: Decimal
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReceiveTransfer:
    """What arrived; ``final`` records whatever is still in transit as a discrepancy (with
    ``note`` on the lines that have none of their own)."""

    principal: Principal
    transfer_id: uuid.UUID
    lines: tuple[ReceivedItem, ...] = ()
    final: bool = False
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class CancelTransfer:
    principal: Principal
    transfer_id: uuid.UUID
    reason: str
