"""Transfer orders between warehouses (调拨)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.domain.limits import numeric_max
from app.schemas.common import Code, DecimalOut, Schema
from app.schemas.stock import Sku
from app.services.transfers.commands import (
    CreateTransfer,
    ReceivedItem,
    ReceiveTransfer,
    TransferItem,
)

TransferReasonName = Literal["consolidation", "replenishment", "manual"]
TransferStatusName = Literal["draft", "shipped", "partially_received", "received", "cancelled"]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LineQuantity = Annotated[
    Decimal,
    Field(
        max_digits=18,
        decimal_places=3,
        description="Greater than zero, with at most the product's unit precision in decimals.",
        examples=["12"],
        le=numeric_max(18, 3),
        ge=-numeric_max(18, 3),
    ),
]


class TransferLineCreate(Schema):
    sku: Sku
    quantity: LineQuantity


class TransferCreate(Schema):
    from_warehouse: Code = Field(description="Code of the warehouse the stock leaves")
    to_warehouse: Code = Field(description="Code of the warehouse the stock goes to")
    reason: TransferReasonName
    lines: list[TransferLineCreate] = Field(
        min_length=1, max_length=500, description="Repeated SKUs are merged"
    )
    order_id: uuid.UUID | None = Field(
        default=None, description="The sales order a consolidation transfer serves"
    )
    notes: Note | None = None

    def to_command(self, principal: Principal) -> CreateTransfer:
        return CreateTransfer(
            principal=principal,
            from_warehouse=self.from_warehouse,
            to_warehouse=self.to_warehouse,
            reason=self.reason,
            lines=tuple(TransferItem(sku=line.sku, quantity=line.quantity) for line in self.lines),
            order_id=self.order_id,
            notes=self.notes,
        )


class TransferReceiptLine(Schema):
    sku: Sku
    quantity: LineQuantity
    note: Note | None = Field(default=None, description="Kept on the line if it ends short")


class TransferReceive(Schema):
    lines: list[TransferReceiptLine] = Field(default_factory=list, max_length=500)
    final: bool = Field(
        default=False,
        description="Nothing more will arrive: whatever is still in transit is recorded as a "
        "discrepancy on its line and the transfer becomes received",
    )
    note: Note | None = Field(
        default=None, description="Discrepancy note for lines that have none of their own"
    )

    def to_command(self, transfer_id: uuid.UUID, principal: Principal) -> ReceiveTransfer:
        return ReceiveTransfer(
            principal=principal,
            transfer_id=transfer_id,
            lines=tuple(
                ReceivedItem(sku=line.sku, quantity=line.quantity, note=line.note)
                for line in self.lines
            ),
            final=self.final,
            note=self.note,
        )


class TransferCancel(Schema):
    reason: Note


class TransferLineRead(Schema):
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    quantity: DecimalOut
    shipped_quantity: DecimalOut
    received_quantity: DecimalOut
    discrepancy_quantity: DecimalOut = Field(description="Shipped but never received")
    discrepancy_note: str | None
    in_transit: DecimalOut = Field(description="Shipped, not yet received nor written off")


class TransferRead(Schema):
    id: uuid.UUID
    number: str = Field(examples=["TR-2026-000123"])
    from_warehouse_id: uuid.UUID
    from_warehouse: str = Field(description="Warehouse code")
    to_warehouse_id: uuid.UUID
    to_warehouse: str = Field(description="Warehouse code")
    reason: TransferReasonName
    status: TransferStatusName
    order_id: uuid.UUID | None
    notes: str | None
    created_by: str
    updated_by: str
    created_at: datetime
    updated_at: datetime
    shipped_at: datetime | None
    received_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    version: int
    lines: list[TransferLineRead]
