"""Products: SKU, unit of measure, physical data, prices, tax and replenishment."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from app.domain.auth import Principal
from app.domain.limits import numeric_max
from app.domain.production import SupplyMethod
from app.domain.products import GoodsClass
from app.schemas.common import (
    AmountOut,
    Code,
    CurrencyCode,
    DecimalOut,
    Name,
    NonNegativeMoney,
    Schema,
)
from app.schemas.patch import Patch
from app.services.products.commands import CreateProduct, UpdateProduct

NonNegativeQuantity = Annotated[
    Decimal, Field(ge=0, max_digits=18, decimal_places=3, le=numeric_max(18, 3))
]
Uom = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
UomPrecision = Annotated[int, Field(ge=0, le=3, description="Decimal places; pieces are 0")]
Spec = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Weight = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=3, le=numeric_max(12, 3))]
Dimension = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2, le=numeric_max(10, 2))]
TaxRate = Annotated[
    Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=4, description="0.13 = 13 %")
]
Substitutes = Annotated[list[Code], Field(max_length=50, description="SKUs of other products")]
LeadDays = Annotated[int, Field(ge=0, le=365, description="Days a production request takes")]
ReturnWindow = Annotated[
    int,
    Field(
        ge=0,
        le=3650,
        description="Days after delivery it may be returned; null: the general return window "
        "(LADING_RETURN_WINDOW_DAYS, or LADING_STOREFRONT_RETURN_WINDOW_DAYS for storefront "
        "orders)",
    ),
]


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    if values.get("goods_class") is not None:
        values["goods_class"] = GoodsClass(values["goods_class"]).value
    if values.get("supply_method") is not None:
        values["supply_method"] = SupplyMethod(values["supply_method"]).value
    return values


class ProductCreate(Schema):
    sku: Code = Field(description="Unique; cannot change later")
    name: Name
    spec: Spec | None = Field(default=None, description="Specification or model")
    uom: Uom = Field(default="pcs", description="Unit of measure, e.g. pcs, kg, m")
    uom_precision: UomPrecision = 0
    weight_kg: Weight | None = None
    length_cm: Dimension | None = None
    width_cm: Dimension | None = None
    height_cm: Dimension | None = None
    goods_class: GoodsClass = GoodsClass.GENERAL
    currency: CurrencyCode = Field(description="ISO 4217, e.g. CNY")
    list_price: NonNegativeMoney
    floor_price: NonNegativeMoney | None = Field(
        default=None, description="The lowest price it may be sold at; at most list_price"
    )
    tax_rate: TaxRate = Decimal("0")
    reorder_point: NonNegativeQuantity = Decimal("0")
    reorder_quantity: NonNegativeQuantity = Decimal("0")
    preferred_supplier_id: uuid.UUID | None = None
    substitutes: Substitutes = Field(default_factory=list)
    active: bool = True
    return_window_days: ReturnWindow | None = None
    supply_method: SupplyMethod = Field(
        default=SupplyMethod.BUY,
        description="buy: purchase orders; make: production requests to stock; "
        "make_to_order: a production request for each order's shortage",
    )
    production_lead_days: LeadDays = 0
    production_warehouse_id: uuid.UUID | None = Field(
        default=None, description="Where it is made (default: the first active warehouse)"
    )

    def to_command(self, principal: Principal) -> CreateProduct:
        return CreateProduct(principal=principal, **_columns(self.model_dump()))


class ProductUpdate(Schema):
    """Every field but ``sku``, which is immutable."""

    name: Patch[Name] = None
    spec: Spec | None = None
    uom: Patch[Uom] = None
    uom_precision: Patch[UomPrecision] = None
    weight_kg: Weight | None = None
    length_cm: Dimension | None = None
    width_cm: Dimension | None = None
    height_cm: Dimension | None = None
    goods_class: Patch[GoodsClass] = None
    currency: Patch[CurrencyCode] = None
    list_price: Patch[NonNegativeMoney] = None
    floor_price: NonNegativeMoney | None = None
    tax_rate: Patch[TaxRate] = None
    reorder_point: Patch[NonNegativeQuantity] = None
    reorder_quantity: Patch[NonNegativeQuantity] = None
    preferred_supplier_id: uuid.UUID | None = None
    substitutes: Patch[Substitutes] = None
    active: Patch[bool] = None
    return_window_days: ReturnWindow | None = None
    supply_method: Patch[SupplyMethod] = None
    production_lead_days: Patch[LeadDays] = None
    production_warehouse_id: uuid.UUID | None = None

    def to_command(
        self, principal: Principal, product_id: uuid.UUID, expected_version: int
    ) -> UpdateProduct:
        return UpdateProduct(
            principal=principal,
            product_id=product_id,
            expected_version=expected_version,
            changes=_columns(self.model_dump(exclude_unset=True)),
        )


class ProductRead(Schema):
    id: uuid.UUID
    sku: str
    name: str
    spec: str | None
    uom: str
    uom_precision: int
    weight_kg: DecimalOut | None
    length_cm: DecimalOut | None
    width_cm: DecimalOut | None
    height_cm: DecimalOut | None
    goods_class: GoodsClass
    currency: str
    list_price: AmountOut
    floor_price: AmountOut | None
    tax_rate: DecimalOut
    reorder_point: DecimalOut
    reorder_quantity: DecimalOut
    preferred_supplier_id: uuid.UUID | None
    substitutes: list[str]
    active: bool
    return_window_days: int | None
    supply_method: SupplyMethod
    production_lead_days: int
    production_warehouse_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime
