"""Commands of the vehicle use cases."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateVehicle:
    """A new vehicle at the depot with warehouse code ``depot``."""

    principal: Principal
    code: str
    name: str
    depot: str
    plate: str | None = None
    capacity_kg: Decimal
    capacity_m3: Decimal
    shift_start: time
    shift_end: time
    max_route_minutes: int | None = None
    fixed_cost: Decimal = Decimal(0)
    cost_per_km: Decimal = Decimal(0)
    cost_per_hour: Decimal = Decimal(0)
    currency: str
    goods_classes: list[str] = field(default_factory=lambda: ["general"])
    driver_name: str | None = None
    driver_phone: str | None = None
    active: bool = True


@dataclass(frozen=True, kw_only=True)
class UpdateVehicle:
    """``changes`` holds only the fields given, as column values, except ``depot`` (a
    warehouse code) in place of ``depot_warehouse_id``."""

    principal: Principal
    vehicle_id: uuid.UUID
    expected_version: int
    changes: Mapping[str, Any]
