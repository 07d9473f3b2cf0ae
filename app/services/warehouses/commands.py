"""Commands of the warehouse use cases."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateWarehouse:
    principal: Principal
    code: str
    name: str
    address: Mapping[str, Any] | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    priority: int = 100
    active: bool = True
    time_zone: str = "UTC"
    # The depot's routing document as stored (app.domain.routing.depot); None: the defaults.
    routing: Mapping[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateWarehouse:
    """``changes`` holds only the fields given (address, coordinates and routing may be
    None)."""

    principal: Principal
    warehouse_id: uuid.UUID
    expected_version: int
    changes: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class SetBinLocation:
    """Put (or move) the product ``sku`` in bin ``location`` (zone-aisle-shelf-bin)."""

    principal: Principal
    warehouse_id: uuid.UUID
    sku: str
    location: str
