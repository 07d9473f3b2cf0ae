"""Shipments (发货单), verification, ship confirmation and own-fleet delivery."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints, field_validator

from app.schemas.common import Code, DecimalOut, Schema
from app.schemas.stock import Sku

ShipmentStatusName = Literal["ready", "shipped", "delivered"]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# A signature image, base64: at most 256 KiB of text.
SIGNATURE_MAX_CHARS = 256 * 1024


class SkuQuantity(Schema):
    sku: Sku
    quantity: Decimal = Field(max_digits=18, decimal_places=3, examples=["4"])


class PackageIn(Schema):
    weight_kg: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    length_cm: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    width_cm: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    height_cm: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    contents: list[SkuQuantity] = Field(min_length=1, max_length=1000)


class ShipmentCreate(Schema):
    order_id: uuid.UUID
    warehouse: Code = Field(description="Code of the warehouse the goods leave from")
    lines: list[SkuQuantity] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="Default: everything picked and not yet shipped for the order there",
    )
    packages: list[PackageIn] = Field(min_length=1, max_length=500)
    carrier: Code | None = Field(default=None, description="Carrier code; own fleet when absent")


class ShipmentVerify(Schema):
    lines: list[SkuQuantity] = Field(min_length=1, max_length=1000, description="Scanned goods")


class ShipmentConfirm(Schema):
    shipped_at: AwareDatetime | None = None
    vehicle_plate: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)] | None
    ) = None
    driver: Text100 | None = None


class ShipmentDeliver(Schema):
    receiver_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    delivered_at: AwareDatetime | None = None
    signature: str | None = Field(
        default=None, max_length=SIGNATURE_MAX_CHARS, description="Signature image, base64"
    )

    @field_validator("signature")
    @classmethod
    def _base64(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("The signature is not valid base64.") from exc
        return value


class ShipmentLineRead(Schema):
    line_no: int
    order_line_id: uuid.UUID
    product_id: uuid.UUID
    sku: str
    name: str
    quantity: DecimalOut


class PackageItemRead(Schema):
    sku: str
    quantity: DecimalOut


class PackageRead(Schema):
    package_no: int
    weight_kg: DecimalOut
    length_cm: DecimalOut
    width_cm: DecimalOut
    height_cm: DecimalOut
    contents: list[PackageItemRead]


class CarrierRef(Schema):
    code: str
    name: str


class CustomerRef(Schema):
    code: str
    name: str


class ShipmentRead(Schema):
    id: uuid.UUID
    number: str = Field(examples=["SH-2026-000123"])
    status: ShipmentStatusName
    order_id: uuid.UUID
    order_number: str
    customer: CustomerRef
    warehouse_id: uuid.UUID
    warehouse: str = Field(description="Warehouse code")
    carrier: CarrierRef | None = Field(description="Null: own fleet")
    own_fleet: bool
    ship_to: dict[str, Any]
    lines: list[ShipmentLineRead]
    packages: list[PackageRead]
    verified_at: datetime | None
    verified_by: str | None
    shipped_at: datetime | None
    shipped_by: str | None
    vehicle_plate: str | None
    driver: str | None
    delivered_at: datetime | None
    delivered_by: str | None
    receiver_name: str | None
    has_signature: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int
