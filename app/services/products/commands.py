"""Commands of the product use cases."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateProduct:
    principal: Principal
    sku: str
    name: str
    spec: str | None
    uom: str
    uom_precision: int
    weight_kg: Decimal | None
    length_cm: Decimal | None
    width_cm: Decimal | None
    height_cm: Decimal | None
    goods_class: str
    currency: str
    list_price: Decimal
    floor_price: Decimal | None
    tax_rate: Decimal
    reorder_point: Decimal
    reorder_quantity: Decimal
    preferred_supplier_id: uuid.UUID | None
    substitutes: list[str]
    active: bool
    return_window_days: int | None = None
    supply_method: str = "buy"
    production_lead_days: int = 0
    production_warehouse_id: uuid.UUID | None = None


# The product's own fields (what a create sets and an update may change, but the SKU).
PRODUCT_FIELDS = tuple(f.name for f in fields(CreateProduct) if f.name != "principal")


@dataclass(frozen=True, kw_only=True)
class UpdateProduct:
    """``changes`` holds only the fields given; the SKU never changes."""

    principal: Principal
    product_id: uuid.UUID
    expected_version: int
    changes: Mapping[str, Any]
