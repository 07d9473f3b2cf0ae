"""Commands of returns: request, approve, refuse."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class ReturnLineRequest:
    order_line_id: uuid.UUID
    quantity: Decimal
    exchange_sku: str | None = None  # resolution exchange: the SKU the customer wants instead


@dataclass(frozen=True, kw_only=True)
class RequestReturn:
    """Return ``lines`` of a delivered order. ``warehouse``: the code of the warehouse the
    goods come back to (default: the one that shipped them)."""

    principal: Principal
    order_id: uuid.UUID
    lines: tuple[ReturnLineRequest, ...]
    reason: str
    resolution: str
    method: str
    reason_note: str | None = None
    warehouse: str | None = None
    case_id: uuid.UUID | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, kw_only=True)
class ApproveReturn:
    principal: Principal
    return_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class RefuseReturn:
    principal: Principal
    return_id: uuid.UUID
    reason: str
