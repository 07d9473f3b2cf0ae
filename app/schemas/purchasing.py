"""Replenishment suggestions and purchase orders."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.domain.limits import numeric_max
from app.domain.purchasing import PurchaseOrderStatus
from app.schemas.common import AmountOut, Code, DecimalOut, NonNegativeMoney, Schema
from app.schemas.stock import StockMovementRead
from app.services.purchasing.commands import (
    CreatePurchaseOrder,
    CreateReplenishmentOrders,
    PurchaseItem,
    ReceiptItem,
    ReceivePurchaseOrder,
)

Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
PositiveQuantity = Annotated[
    Decimal,
    Field(
        gt=0,
        max_digits=18,
        decimal_places=3,
        description="Greater than zero; at most the product's unit precision in decimals.",
        examples=["12"],
        le=numeric_max(18, 3),
    ),
]
PurchaseOrderStatusName = Literal["draft", "sent", "partially_received", "received", "cancelled"]
ReasonName = Literal["shortage", "below_reorder_point"]


class SuggestionRead(Schema):
    product_id: uuid.UUID
    sku: str
    name: str
    uom: str
    reasons: list[ReasonName] = Field(
        description="shortage: backorders exceed what is on order; below_reorder_point: "
        "available + on order − backordered is below the reorder point"
    )
    quantity: DecimalOut = Field(description="Suggested quantity to buy")
    shortage: DecimalOut = Field(description="Backordered on approved orders")
    available: DecimalOut = Field(description="on_hand − reserved over active warehouses")
    on_order: DecimalOut = Field(description="Still to receive on draft and open orders")
    reorder_point: DecimalOut
    reorder_quantity: DecimalOut


class SupplierSuggestions(Schema):
    supplier_id: uuid.UUID | None
    supplier: str | None = Field(description="Supplier code; null: no preferred supplier")
    supplier_name: str | None
    supplier_active: bool | None
    no_supplier: bool = Field(description="These products have no preferred supplier")
    lead_time_days: int | None
    expected_date: date | None = Field(description="Order date + the supplier's lead time")
    lines: list[SuggestionRead]


class SuggestionsRead(Schema):
    order_date: date
    groups: list[SupplierSuggestions]
    limit: int = Field(description="At most this many products are considered")
    truncated: bool = Field(description="More products needed buying than the limit")


class ReplenishmentOrdersCreate(Schema):
    warehouse: Code = Field(description="Code of the warehouse the goods go to")

    def to_command(self, principal: Principal) -> CreateReplenishmentOrders:
        return CreateReplenishmentOrders(principal=principal, warehouse=self.warehouse)


class PurchaseOrderLineCreate(Schema):
    sku: Sku
    quantity: PositiveQuantity
    unit_price: NonNegativeMoney | None = None


class PurchaseOrderCreate(Schema):
    supplier: Code = Field(description="Supplier code")
    warehouse: Code = Field(description="Code of the warehouse the goods go to")
    lines: list[PurchaseOrderLineCreate] = Field(min_length=1, max_length=500)
    expected_date: date | None = Field(
        default=None, description="Default: today + the supplier's lead time"
    )

    def to_command(self, principal: Principal) -> CreatePurchaseOrder:
        return CreatePurchaseOrder(
            principal=principal,
            supplier=self.supplier,
            warehouse=self.warehouse,
            lines=tuple(
                PurchaseItem(sku=line.sku, quantity=line.quantity, unit_price=line.unit_price)
                for line in self.lines
            ),
            expected_date=self.expected_date,
        )


class PurchaseOrderLineRead(Schema):
    id: uuid.UUID
    line_no: int
    product_id: uuid.UUID
    sku: str
    quantity: DecimalOut
    received_quantity: DecimalOut
    unit_price: AmountOut | None


class PurchaseOrderSummary(Schema):
    id: uuid.UUID
    number: str
    status: PurchaseOrderStatus
    supplier_id: uuid.UUID
    supplier: str = Field(description="Supplier code")
    warehouse_id: uuid.UUID
    warehouse: str = Field(description="Warehouse code")
    order_date: date
    expected_date: date | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class PurchaseOrderRead(PurchaseOrderSummary):
    lines: list[PurchaseOrderLineRead]


class SkippedProduct(Schema):
    sku: str
    reason: Literal["no_preferred_supplier", "supplier_inactive"]


class ReplenishmentOrdersCreated(Schema):
    purchase_orders: list[PurchaseOrderRead]
    skipped: list[SkippedProduct] = Field(
        description="Suggested products no purchase order was made for, and why"
    )


class ReceiptLine(Schema):
    sku: Sku
    quantity: PositiveQuantity


class PurchaseOrderReceipt(Schema):
    lines: list[ReceiptLine] = Field(min_length=1, max_length=500)

    def to_command(
        self, purchase_order_id: uuid.UUID, principal: Principal
    ) -> ReceivePurchaseOrder:
        return ReceivePurchaseOrder(
            principal=principal,
            purchase_order_id=purchase_order_id,
            lines=tuple(ReceiptItem(sku=line.sku, quantity=line.quantity) for line in self.lines),
        )


class PurchaseOrderReceived(Schema):
    purchase_order: PurchaseOrderRead
    movements: list[StockMovementRead] = Field(description="The receipt movements recorded")
    backorders_allocated: int = Field(
        description="What backorder allocation reported for the received products"
    )
