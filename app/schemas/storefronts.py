"""Storefront connections (Shopify, WooCommerce), their refused webhooks, and the answer a
shop's webhook gets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, SecretStr, StringConstraints

from app.domain.orders import Channel
from app.domain.storefronts.connections import CustomerMode, FulfilmentMode, Platform, SkuMode
from app.schemas.common import Name, Schema
from app.schemas.patch import Patch

ConnectionCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
    ),
]
BaseUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^https?://[^\s]+$", max_length=300)
]
Secret = Annotated[SecretStr, Field(min_length=1, max_length=4000)]
ApiVersion = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}$")]
LocationId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
PlatformKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
SECRETS = ("webhook_secret", "access_token", "consumer_key", "consumer_secret")
MAX_MAPPING = 5000


class SkuMapEntry(Schema):
    platform_key: PlatformKey = Field(
        description="The shop's SKU; for a line without one, product:<product or variant id>"
    )
    sku: Sku = Field(description="The Lading SKU it stands for")


def _columns(data: Schema, *, partial: bool) -> dict[str, Any]:
    """The given fields as column values (secrets in clear, ids as text in the JSON list)."""
    values = data.model_dump(exclude_unset=partial, exclude={*SECRETS, "sku_mapping"})
    for name in ("platform", "channel", "customer_mode", "sku_mode", "fulfilment_mode"):
        if values.get(name) is not None:
            values[name] = str(
                values[name].value if hasattr(values[name], "value") else values[name]
            )
    if "warehouse_ids" in values:
        values["warehouse_ids"] = [str(w) for w in values["warehouse_ids"]]
    for name in SECRETS:
        if not partial or name in data.model_fields_set:
            secret = getattr(data, name)
            values[name] = secret.get_secret_value() if secret is not None else None
    return values


def _mapping(entries: list[SkuMapEntry] | None) -> dict[str, str] | None:
    return None if entries is None else {e.platform_key: e.sku for e in entries}


class StorefrontConnectionCreate(Schema):
    code: ConnectionCode = Field(
        description="Names the webhook URL: /api/v1/webhooks/storefronts/{code}"
    )
    name: Name
    platform: Platform
    base_url: BaseUrl = Field(
        description="Shopify: https://{shop}.myshopify.com; WooCommerce: the site's root URL"
    )
    webhook_secret: Secret | None = Field(
        default=None,
        description="The secret the shop signs webhooks with (Shopify: the app's client "
        "secret; WooCommerce: the webhook's secret); write-only",
    )
    access_token: Secret | None = Field(
        default=None, description="Shopify Admin API access token; write-only"
    )
    consumer_key: Secret | None = Field(default=None, description="WooCommerce; write-only")
    consumer_secret: Secret | None = Field(default=None, description="WooCommerce; write-only")
    api_version: ApiVersion = Field(default="2025-07", description="Shopify Admin API version")
    location_id: LocationId | None = Field(
        default=None, description="Shopify location whose inventory Lading sets"
    )
    channel: Channel = Channel.STOREFRONT
    warehouse_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description="Warehouses whose stock the shop may sell; empty: every warehouse",
    )
    customer_mode: CustomerMode = CustomerMode.PER_CUSTOMER
    account_customer_id: uuid.UUID | None = Field(
        default=None, description="The one customer of customer_mode=account"
    )
    sku_mode: SkuMode = SkuMode.SKU
    sku_mapping: list[SkuMapEntry] = Field(default_factory=list, max_length=MAX_MAPPING)
    notify_customer: bool = Field(
        default=False, description="Shopify emails the buyer on fulfilment"
    )
    fulfilment_mode: FulfilmentMode = Field(
        default=FulfilmentMode.COMPLETE,
        description="WooCommerce: a shipment completes the order, or adds a note",
    )
    active: bool = True

    def columns(self) -> dict[str, Any]:
        return _columns(self, partial=False)

    def mapping(self) -> dict[str, str]:
        return _mapping(self.sku_mapping) or {}


class StorefrontConnectionUpdate(Schema):
    """Fields left out stay as they are; a secret given as null is removed. A new
    ``base_url`` removes the stored secrets unless new ones come with it."""

    name: Patch[Name] = None
    base_url: Patch[BaseUrl] = None
    webhook_secret: Secret | None = None
    access_token: Secret | None = None
    consumer_key: Secret | None = None
    consumer_secret: Secret | None = None
    api_version: Patch[ApiVersion] = None
    location_id: LocationId | None = None
    channel: Patch[Channel] = None
    warehouse_ids: Patch[list[uuid.UUID]] = Field(default=None, max_length=50)
    customer_mode: Patch[CustomerMode] = None
    account_customer_id: uuid.UUID | None = None
    sku_mode: Patch[SkuMode] = None
    sku_mapping: Patch[list[SkuMapEntry]] = Field(
        default=None, max_length=MAX_MAPPING, description="Replaces the whole mapping"
    )
    notify_customer: Patch[bool] = None
    fulfilment_mode: Patch[FulfilmentMode] = None
    active: Patch[bool] = None

    def changes(self) -> dict[str, Any]:
        return _columns(self, partial=True)

    def mapping(self) -> dict[str, str] | None:
        return _mapping(self.sku_mapping)


class StorefrontConnectionRead(Schema):
    id: uuid.UUID
    code: str
    name: str
    platform: str
    base_url: str
    webhook_url: str = Field(description="Where the shop sends its webhooks (path on this API)")
    has_webhook_secret: bool = Field(description="Whether a webhook secret is stored (never shown)")
    has_api_credentials: bool = Field(
        description="Whether API credentials are stored (never shown)"
    )
    api_version: str
    location_id: str | None
    channel: str
    warehouse_ids: list[uuid.UUID]
    customer_mode: str
    account_customer_id: uuid.UUID | None
    sku_mode: str
    notify_customer: bool
    fulfilment_mode: str
    active: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, connection: Any) -> StorefrontConnectionRead:
        return cls.model_validate(
            {
                **{k: getattr(connection, k) for k in cls.model_fields if k != "webhook_url"},
                "webhook_url": f"/api/v1/webhooks/storefronts/{connection.code}",
            }
        )


class RejectedIntakeRead(Schema):
    id: uuid.UUID
    webhook_id: str
    topic: str
    platform_order_id: str | None
    code: str = Field(description="unknown_sku, currency_mismatch, malformed_payload, ...")
    field: str | None
    reason: str
    received_at: datetime


class StorefrontWebhookReceipt(Schema):
    status: str = Field(
        description="accepted, updated, unchanged, cancelled, diverged, duplicate, ignored, "
        "ping or rejected"
    )
    order_id: uuid.UUID | None = None
    order_number: str | None = None
    reason: str | None = Field(default=None, description="Why a rejected webhook was not taken")
