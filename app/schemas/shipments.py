"""Shipments (发货单), verification, ship confirmation and own-fleet delivery."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, ValidationInfo, field_validator

from app.domain.carrier_selection import ExclusionReason, Preference
from app.domain.limits import numeric_max
from app.domain.tracking import TrackingStatus
from app.schemas.common import AmountOut, Code, DecimalOut, DeliveryAddress, Schema
from app.schemas.stock import Sku

ShipmentStatusName = Literal["ready", "shipped", "delivered"]
LabelStatusName = Literal["none", "pending", "purchased", "failed"]
Text100 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
# A signature image, base64: at most 256 KiB of text; a photo: 2 MiB of image.
SIGNATURE_MAX_CHARS = 256 * 1024
PHOTO_MAX_CHARS = (2 * 1024 * 1024) * 4 // 3 + 4
PhotoType = Literal["image/jpeg", "image/png", "image/webp"]


class SkuQuantity(Schema):
    sku: Sku
    quantity: Decimal = Field(
        max_digits=18,
        decimal_places=3,
        examples=["4"],
        le=numeric_max(18, 3),
        ge=-numeric_max(18, 3),
    )


class PackageIn(Schema):
    weight_kg: Decimal = Field(gt=0, max_digits=12, decimal_places=3, le=numeric_max(12, 3))
    length_cm: Decimal = Field(gt=0, max_digits=12, decimal_places=2, le=numeric_max(12, 2))
    width_cm: Decimal = Field(gt=0, max_digits=12, decimal_places=2, le=numeric_max(12, 2))
    height_cm: Decimal = Field(gt=0, max_digits=12, decimal_places=2, le=numeric_max(12, 2))
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


def _check_base64(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"The {what} is not valid base64.") from exc
    return value


class ShipmentDeliver(Schema):
    receiver_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    delivered_at: AwareDatetime | None = None
    signature: str | None = Field(
        default=None, max_length=SIGNATURE_MAX_CHARS, description="Signature image, base64"
    )
    photo: str | None = Field(
        default=None,
        max_length=PHOTO_MAX_CHARS,
        description="Photo of the handed-over goods, base64 (at most 2 MiB of image)",
    )
    photo_content_type: PhotoType | None = Field(
        default=None, description="Required with a photo", validate_default=True
    )

    @field_validator("signature")
    @classmethod
    def _signature_base64(cls, value: str | None) -> str | None:
        return _check_base64(value, "signature")

    @field_validator("photo")
    @classmethod
    def _photo_base64(cls, value: str | None) -> str | None:
        return _check_base64(value, "photo")

    @field_validator("photo_content_type")
    @classmethod
    def _photo_typed(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (info.data.get("photo") is None) != (value is None):
            raise ValueError("A photo and its photo_content_type come together.")
        return value


class ProofOfDelivery(Schema):
    shipment_id: uuid.UUID
    receiver_name: str | None
    delivered_at: datetime | None
    delivered_by: str | None
    signature: str | None = Field(description="Signature image, base64")
    photo: str | None = Field(description="Photo, base64")
    photo_content_type: str | None


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


class ShipmentCustomer(Schema):
    """The customer a shipment goes to."""

    code: str
    name: str


class LabelRead(Schema):
    status: LabelStatusName = Field(
        description="none → pending (bought, or waiting for the worker to retry the carrier) → "
        "purchased; failed when the carrier refused (buy another rate)"
    )
    reason: str | None = Field(description="Why the label is pending or failed")
    attempts: int
    next_attempt_at: datetime | None = Field(description="When the worker retries a pending label")
    carrier: str | None = Field(description="Lading carrier code of the chosen rate")
    provider: str | None = Field(description="The carrier behind it (EasyPost: USPS, UPS, ...)")
    service: str | None
    tracking_number: str | None
    cost: AmountOut | None
    currency: str | None
    promised_date: date | None
    document_url: str | None = Field(description="Where to download the label once purchased")


class ShipmentRead(Schema):
    id: uuid.UUID
    number: str = Field(examples=["SH-2026-000123"])
    status: ShipmentStatusName
    order_id: uuid.UUID
    order_number: str
    customer: ShipmentCustomer
    warehouse_id: uuid.UUID
    warehouse: str = Field(description="Warehouse code")
    carrier: CarrierRef | None = Field(description="Null: own fleet")
    own_fleet: bool
    ship_to: DeliveryAddress
    lines: list[ShipmentLineRead]
    packages: list[PackageRead]
    verified_at: datetime | None
    verified_by: str | None
    shipped_at: datetime | None
    shipped_by: str | None
    vehicle_plate: str | None
    driver: str | None
    promised_date: date | None = Field(
        default=None, description="When the carrier's rate or the delivery plan promises it"
    )
    promised_at: datetime | None = Field(
        default=None, description="The own fleet's planned arrival (its delivery plan)"
    )
    delivered_at: datetime | None
    delivered_by: str | None
    receiver_name: str | None
    has_signature: bool
    has_photo: bool
    label: LabelRead
    tracking_status: TrackingStatus | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int


class RatesRequest(Schema):
    preference: Preference | None = Field(
        default=None,
        description="How the rates are ranked: cheapest, fastest or preferred; the customer's "
        "shipping preference when left out",
    )
    preferred_carrier: Code | None = Field(
        default=None, description="Carrier code, with preference=preferred"
    )


class RateRead(Schema):
    carrier: str = Field(description="Lading carrier code")
    provider: str = Field(description="The carrier behind it (EasyPost: USPS, UPS, ...)")
    service: str
    price: AmountOut
    currency: str
    promised_date: date | None
    converted_price: DecimalOut = Field(
        description="The price in the reporting currency, as the rates were ranked"
    )
    reporting_currency: str = Field(description="LADING_REPORTING_CURRENCY when quoted")


class UnrankedRate(Schema):
    carrier: str = Field(description="Lading carrier code")
    provider: str
    service: str
    price: AmountOut
    currency: str
    promised_date: date | None
    reason: str = Field(description="Why it is not ranked (no exchange rate in force)")


class CarrierErrorItem(Schema):
    field: str | None = Field(description="The field the carrier names, when it names one")
    message: str


class RateFailure(Schema):
    carrier: str
    reason: str = Field(description="What the carrier answered, whole")
    retryable: bool = Field(description="Whether asking again may succeed (timeouts, 5xx)")
    code: str | None = Field(default=None, description="The carrier's own error code")
    errors: list[CarrierErrorItem] = Field(
        default_factory=list, description="The carrier's itemised errors"
    )


class RateExclusion(Schema):
    carrier: str
    reason: ExclusionReason
    detail: str


class RatesRead(Schema):
    shipment_id: uuid.UUID
    quoted_at: datetime
    preference: Preference = Field(description="The ranking used")
    preferred_carrier: str | None
    rates: list[RateRead] = Field(description="Every eligible carrier's rates, best first")
    unranked: list[UnrankedRate] = Field(
        description="Rates in a currency with no exchange rate to the reporting currency: "
        "listed, but neither ranked nor bought by preference"
    )
    failures: list[RateFailure] = Field(description="Carriers that failed to answer")
    excluded: list[RateExclusion] = Field(description="Carriers that cannot take the shipment")


class LabelRequest(Schema):
    """Name a rate of the last quote (carrier, and service when it has several), or leave
    both out to buy the best by preference."""

    carrier: Code | None = None
    service: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    preference: Preference | None = Field(
        default=None,
        description="Ranks the last quote's rates afresh; when left out the quote's own "
        "ranking decides (the best of a fastest quote is the fastest)",
    )
    preferred_carrier: Code | None = Field(
        default=None, description="With preference=preferred: its cheapest rate is bought"
    )
