"""The commands of allocation: what routers and the worker ask of it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class AllocateOrder:
    """Reserve whatever an approved order still lacks, by the configured strategy."""

    order_id: uuid.UUID
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class DeallocateOrder:
    """Give back everything an approved order holds; it stays approved."""

    order_id: uuid.UUID
    principal: Principal


@dataclass(frozen=True, kw_only=True)
class ExpireUnpaidReservations:
    """Release the reservations of unpaid prepaid orders whose time ran out by ``now``
    (default: the time the command is handled)."""

    principal: Principal
    now: datetime | None = None
