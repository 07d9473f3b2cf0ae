"""Carriers: master data, and carrier selection for a shipment's facts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, RootModel, SecretStr, StringConstraints

from app.domain.carrier_selection import ExclusionReason, Preference
from app.domain.limits import numeric_max
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

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Region = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Zone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[^/]+$")
]
CutoffTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Weight = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3, le=numeric_max(12, 3))]
TransitDays = Annotated[int, Field(ge=0, le=365)]
Credentials = Annotated[SecretStr, Field(min_length=1, max_length=4000)]
Endpoint = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^https?://[^\s]+$", max_length=300)
]
TimeoutSeconds = Annotated[Decimal, Field(gt=0, le=120, max_digits=6, decimal_places=2)]


class AdapterKind(StrEnum):
    TABLE_RATE = "table_rate"
    EASYPOST = "easypost"
    GENERIC_JSON = "generic_json"


class CarrierService(Schema):
    code: Code
    name: Name


class ZoneRateIn(Schema):
    base: NonNegativeMoney
    per_kg: NonNegativeMoney


class ZoneRateOut(Schema):
    base: AmountOut
    per_kg: AmountOut


def _typed_map(schema: dict[str, Any]) -> None:
    """Publish a map with constrained keys as ``additionalProperties`` (the value type, which
    generated clients build the map from; they skip ``patternProperties``) and the key rule
    as ``propertyNames``. Validation is pydantic's own, key by key."""
    patterns = schema.pop("patternProperties", None)
    if patterns:
        ((pattern, value),) = patterns.items()
        schema["additionalProperties"] = value
        schema["propertyNames"] = {**schema.get("propertyNames", {}), "pattern": pattern}


TYPED_MAP = ConfigDict(json_schema_extra=_typed_map)
ZoneRuleKey = Annotated[str, StringConstraints(pattern=r"^(default|[A-Z]{2}(/[^/]{1,100})?)$")]


class Coverage(RootModel[Annotated[dict[CountryCode, list[Region]], Field(min_length=1)]]):
    """Country (ISO 3166-1 alpha-2) → the regions served there; ``[]`` serves the whole
    country. ``{"CN": ["上海市", "浙江省"], "HK": []}``."""

    model_config = TYPED_MAP


class TransitDaysByZone(RootModel[Annotated[dict[Zone, TransitDays], Field(min_length=1)]]):
    """Zone → calendar days in transit. ``{"local": 1, "near": 2}``."""

    model_config = TYPED_MAP


class ZoneRates(RootModel[Annotated[dict[Zone, ZoneRateIn], Field(min_length=1)]]):
    """Zone → its base and per-kg price. ``{"local": {"base": "10", "per_kg": "1.5"}}``."""

    model_config = TYPED_MAP


class ZoneRules(RootModel[dict[ZoneRuleKey, Zone]]):
    """``"CN/浙江省"``, ``"CN"`` or ``"default"`` → zone; ``"default"`` is required.
    ``{"CN/上海市": "local", "default": "near"}``."""

    model_config = TYPED_MAP


def _column_values(data: Schema, secret: SecretStr | None, *, partial: bool) -> dict[str, Any]:
    """The given fields (all of them, defaults included, unless ``partial``) as the carrier's
    column values: JSON columns as JSON, numbers as Decimal, the secret in clear."""
    values = data.model_dump(exclude_unset=partial, mode="json", exclude={"credentials"})
    for name in ("max_package_weight_kg", "timeout_seconds"):
        if name in values:
            values[name] = Decimal(values[name])
    if not partial or "credentials" in data.model_fields_set:
        values["credentials"] = secret.get_secret_value() if secret is not None else None
    return values


class CarrierCreate(Schema):
    code: Code
    name: Name
    adapter_kind: AdapterKind
    services: list[CarrierService] = Field(default_factory=list, max_length=50)
    coverage: Coverage
    max_package_weight_kg: Weight
    goods_classes: list[GoodsClass] = Field(
        default_factory=lambda: [GoodsClass.GENERAL], description="Goods classes accepted"
    )
    currency: CurrencyCode
    transit_days: TransitDaysByZone
    rates: ZoneRates
    surcharges: dict[GoodsClass, NonNegativeMoney] = Field(default_factory=dict)
    cutoff_time: CutoffTime = Field(description="Daily cutoff, HH:MM local time")
    zone_rules: ZoneRules
    credentials: Credentials | None = Field(
        default=None,
        description="Secret for the carrier's API; write-only, never returned. For easypost "
        'and generic_json a JSON object: {"api_key": "...", "webhook_secret": "..."}',
    )
    endpoint: Endpoint | None = Field(
        default=None,
        description="Base URL of the carrier's API (generic_json: required; easypost: "
        "https://api.easypost.com when left out)",
    )
    webhooks: bool | None = Field(
        default=None,
        description="The carrier posts tracking webhooks; otherwise it is polled. Only for "
        "adapters that take webhooks (easypost, generic_json; their default); table_rate: false",
    )
    timeout_seconds: TimeoutSeconds = Field(
        default=Decimal(10), description="Deadline of each call to the carrier"
    )
    active: bool = True

    def columns(self) -> dict[str, Any]:
        """Every column of the new carrier (``CreateCarrier.columns``)."""
        return _column_values(self, self.credentials, partial=False)


class CarrierUpdate(Schema):
    """Fields left out stay as they are; ``credentials: null`` removes the stored secret."""

    name: Patch[Name] = None
    adapter_kind: Patch[AdapterKind] = None
    services: Patch[list[CarrierService]] = None
    coverage: Patch[Coverage] = None
    max_package_weight_kg: Patch[Weight] = None
    goods_classes: Patch[list[GoodsClass]] = None
    currency: Patch[CurrencyCode] = None
    transit_days: Patch[TransitDaysByZone] = None
    rates: Patch[ZoneRates] = None
    surcharges: Patch[dict[GoodsClass, NonNegativeMoney]] = None
    cutoff_time: Patch[CutoffTime] = None
    zone_rules: Patch[ZoneRules] = None
    credentials: Credentials | None = None
    endpoint: Endpoint | None = None
    webhooks: Patch[bool] = None
    timeout_seconds: Patch[TimeoutSeconds] = None
    active: Patch[bool] = None

    def changes(self) -> dict[str, Any]:
        """The columns given, and only those (``UpdateCarrier.changes``)."""
        return _column_values(self, self.credentials, partial=True)


class CarrierRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    adapter_kind: str
    services: list[CarrierService]
    coverage: Coverage
    max_package_weight_kg: DecimalOut
    goods_classes: list[str]
    currency: str
    transit_days: TransitDaysByZone
    rates: dict[str, ZoneRateOut]
    surcharges: dict[str, AmountOut]
    cutoff_time: str
    zone_rules: ZoneRules
    has_credentials: bool = Field(description="Whether credentials are stored (never shown)")
    endpoint: str | None
    webhooks: bool
    timeout_seconds: DecimalOut
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime


class Destination(Schema):
    country: CountryCode
    region: Region | None = None


class CarrierSelectionRequest(Schema):
    destination: Destination
    weight_kg: Weight
    goods_classes: list[GoodsClass] = Field(default_factory=lambda: [GoodsClass.GENERAL])
    deliver_by: date | None = Field(default=None, description="Requested delivery date")
    ship_at: datetime | None = Field(
        default=None,
        description="Local wall-clock time the shipment is handed over; now when left out",
    )
    preference: Preference = Preference.CHEAPEST
    preferred_carrier: Code | None = Field(
        default=None, description="Carrier code, with preference=preferred"
    )


class CarrierChoiceRead(Schema):
    carrier_code: str
    zone: str
    price: AmountOut
    currency: str
    ship_date: date
    transit_days: int
    promised_date: date
    converted_price: DecimalOut = Field(description="The price in the reporting currency")
    reporting_currency: str = Field(description="The currency prices are ranked in")
    reason: str


class CarrierExclusionRead(Schema):
    carrier_code: str
    reason: ExclusionReason
    detail: str


class CarrierSelectionRead(Schema):
    choices: list[CarrierChoiceRead] = Field(description="Eligible carriers, best first")
    exclusions: list[CarrierExclusionRead]
