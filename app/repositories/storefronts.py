"""Storefront connections (线上订单): the shops, their SKU mapping, the webhook inbox, the
intakes refused for business reasons, and what Lading keeps of each shop order and customer."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, TimestampMixin, VersionedMixin

SECRET_COLUMNS = ("webhook_secret", "access_token", "consumer_key", "consumer_secret")


class StorefrontConnection(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "storefront_connections"

    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(16))
    base_url: Mapped[str] = mapped_column(String(300))
    # Write-only secrets: stored, never read back by the API, audited as has_* flags.
    webhook_secret: Mapped[str | None] = mapped_column(Text)
    access_token: Mapped[str | None] = mapped_column(Text)
    consumer_key: Mapped[str | None] = mapped_column(Text)
    consumer_secret: Mapped[str | None] = mapped_column(Text)
    api_version: Mapped[str] = mapped_column(String(16))
    location_id: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))
    warehouse_ids: Mapped[list[str]]
    customer_mode: Mapped[str] = mapped_column(String(16))
    account_customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customers.id"), index=True
    )
    sku_mode: Mapped[str] = mapped_column(String(16))
    notify_customer: Mapped[bool] = mapped_column(default=False)
    fulfilment_mode: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True, index=True)

    @property
    def has_webhook_secret(self) -> bool:
        return bool(self.webhook_secret)

    @property
    def has_api_credentials(self) -> bool:
        if self.platform == "shopify":
            return bool(self.access_token)
        return bool(self.consumer_key and self.consumer_secret)


class StorefrontSku(IdMixin, Base):
    """The SKU mapping of a connection whose shop SKUs differ from Lading's."""

    __tablename__ = "storefront_skus"
    __table_args__ = (
        UniqueConstraint("connection_id", "platform_key", name="connection_platform_key"),
        Index("ix_storefront_skus_connection_sku", "connection_id", "sku"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("storefront_connections.id", ondelete="CASCADE")
    )
    platform_key: Mapped[str] = mapped_column(String(100))
    sku: Mapped[str] = mapped_column(String(64))


class StorefrontInboxEntry(IdMixin, Base):
    """One webhook delivery, kept once per (connection, webhook id)."""

    __tablename__ = "storefront_inbox"
    __table_args__ = (UniqueConstraint("connection_id", "webhook_id", name="connection_webhook"),)

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("storefront_connections.id", ondelete="CASCADE")
    )
    webhook_id: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(200))


class StorefrontRejection(IdMixin, Base):
    """A webhook Lading answered 200 but did not take, and why."""

    __tablename__ = "storefront_rejections"
    __table_args__ = (
        Index("ix_storefront_rejections_connection_received", "connection_id", "received_at"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("storefront_connections.id", ondelete="CASCADE")
    )
    webhook_id: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(64))
    platform_order_id: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class StorefrontOrder(IdMixin, TimestampMixin, Base):
    """A shop's order as Lading placed it: its name, the platform's line item ids per SKU
    (fulfilments name them), and what the shop charged beyond Lading's lines."""

    __tablename__ = "storefront_orders"
    __table_args__ = (
        UniqueConstraint("connection_id", "platform_order_id", name="connection_order"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("storefront_connections.id", ondelete="CASCADE")
    )
    platform_order_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("orders.id"), index=True)
    # [{"line_item_id": "466157049", "sku": "IPOD-G", "quantity": "1"}]
    lines: Mapped[list[dict[str, Any]]]
    shipping: Mapped[list[dict[str, Any]]]
    currency: Mapped[str] = mapped_column(String(3))
    platform_total: Mapped[Decimal]
    tax_total: Mapped[Decimal]
    cancelled_by_shop: Mapped[bool] = mapped_column(default=False)


class StorefrontCustomer(IdMixin, Base):
    """Which Lading customer a shop's customer became (matched by platform id, then email)."""

    __tablename__ = "storefront_customers"
    __table_args__ = (
        UniqueConstraint("connection_id", "platform_customer_id", name="connection_customer"),
        Index("ix_storefront_customers_connection_email", "connection_id", "email"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("storefront_connections.id", ondelete="CASCADE")
    )
    platform_customer_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id"), index=True)


class StorefrontCall(Base):
    """A call back to a shop (fulfilment, delivery, cancellation), routed from its outbox event
    (same id, so routing twice makes one call) and sent by the worker with retries."""

    __tablename__ = "storefront_calls"
    __table_args__ = (Index("ix_storefront_calls_status_due", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # the outbox event's id
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("storefront_connections.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # fulfil, delivered, cancel
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))  # pending, sent, dead
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class StorefrontStockDirty(Base):
    """A mapped SKU whose available stock changed and is not pushed yet: one row per
    (connection, sku), upserted (never a counter every order updates)."""

    __tablename__ = "storefront_stock_dirty"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("storefront_connections.id", ondelete="CASCADE"), primary_key=True
    )
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    dirty_at: Mapped[datetime] = mapped_column(index=True)
