"""Stock movements (the ledger), stock levels and availability."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.domain.limits import numeric_max
from app.domain.stock import MovementKind
from app.schemas.common import Code, DecimalOut, Schema
from app.services.stock.commands import RecordMovement

Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# What people record directly; issues, transfers and returns come from their documents.
ManualKind = Literal["receipt", "adjustment"]
MovementKindName = Literal[
    "receipt", "issue", "transfer_out", "transfer_in", "adjustment", "return", "scrap", "production"
]
SignedQuantity = Annotated[
    Decimal,
    Field(
        max_digits=18,
        decimal_places=3,
        description="Receipts: greater than zero. Adjustments: the signed change, not zero. "
        "At most the product's unit precision in decimals (pieces: whole numbers).",
        examples=["12", "-2"],
        le=numeric_max(18, 3),
        ge=-numeric_max(18, 3),
    ),
]


class StockMovementCreate(Schema):
    warehouse: Code | None = Field(default=None, description="Warehouse code (or warehouse_id)")
    warehouse_id: uuid.UUID | None = Field(default=None, description="Or the warehouse's id")
    sku: Sku
    kind: ManualKind
    quantity: SignedQuantity
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = Field(
        default=None, description="Required for adjustments"
    )
    reference: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        Field(default=None, description="A document number, e.g. a supplier's delivery note")
    )

    def to_command(self, principal: Principal) -> RecordMovement:
        return RecordMovement(
            principal=principal,
            warehouse=self.warehouse,
            warehouse_id=self.warehouse_id,
            sku=self.sku,
            kind=MovementKind(self.kind),
            quantity=self.quantity,
            reason=self.reason,
            reference=self.reference,
        )


class StockMovementRead(Schema):
    id: uuid.UUID
    warehouse_id: uuid.UUID
    warehouse: str = Field(description="Warehouse code")
    product_id: uuid.UUID
    sku: str
    kind: MovementKindName
    quantity: DecimalOut = Field(description="Signed: positive adds stock, negative takes it")
    reason: str | None
    reference: str | None
    actor: str
    created_at: datetime


class StockLevelRead(Schema):
    warehouse_id: uuid.UUID
    warehouse: str = Field(description="Warehouse code")
    product_id: uuid.UUID
    sku: str
    on_hand: DecimalOut
    reserved: DecimalOut
    available: DecimalOut = Field(description="on_hand − reserved")
    updated_at: datetime


class StockMovementRecorded(Schema):
    """A recorded movement and the level it left behind."""

    movement: StockMovementRead
    level: StockLevelRead


class StockQuantities(Schema):
    on_hand: DecimalOut
    reserved: DecimalOut
    available: DecimalOut = Field(description="on_hand − reserved")


class WarehouseAvailability(StockQuantities):
    warehouse_id: uuid.UUID
    warehouse: str = Field(description="Warehouse code")


class AvailabilityRead(Schema):
    product_id: uuid.UUID
    sku: str
    uom: str
    warehouses: list[WarehouseAvailability] = Field(
        description="Every active warehouse, by priority then code"
    )
    total: StockQuantities
