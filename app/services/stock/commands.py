"""The commands of stock: what the router (and the demo seeder) ask of it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from app.domain.auth import Principal
from app.domain.stock import MovementKind


@dataclass(frozen=True, kw_only=True)
class RecordMovement:
    """Change on-hand stock by a receipt or an adjustment. The warehouse is named by its code
    or its id (both: they must agree); ``quantity`` is signed for adjustments."""

    principal: Principal
    sku: str
    kind: MovementKind
    quantity: Decimal
    warehouse: str | None = None
    warehouse_id: uuid.UUID | None = None
    reason: str | None = None
    reference: str | None = None
