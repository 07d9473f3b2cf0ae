"""The commands of the pick-list use cases (routers build them from the request bodies)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.domain.auth import Principal
from app.domain.picking import Confirmation


@dataclass(frozen=True, kw_only=True)
class PickWave:
    """The oldest approved orders created before ``cutoff``, at most ``max_orders``."""

    cutoff: datetime
    max_orders: int


@dataclass(frozen=True, kw_only=True)
class CreatePickList:
    """Pick the chosen orders (``order_ids``) or a wave in one warehouse (by code)."""

    principal: Principal
    warehouse: str
    order_ids: tuple[uuid.UUID, ...] | None = None
    wave: PickWave | None = None
    picker: str | None = None


@dataclass(frozen=True, kw_only=True)
class AssignPickList:
    principal: Principal
    pick_list_id: uuid.UUID
    picker: str


@dataclass(frozen=True, kw_only=True)
class ConfirmPickList:
    """What was picked, per SKU."""

    principal: Principal
    pick_list_id: uuid.UUID
    lines: tuple[Confirmation, ...]
