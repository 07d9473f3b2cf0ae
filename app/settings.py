"""Settings: one class, read from ``LADING_*`` environment variables (and ``.env``)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me-in-production"


class Settings(BaseSettings):
    """Every setting of Lading; the README lists them with their defaults."""

    model_config = SettingsConfigDict(
        env_prefix="LADING_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///var/lading.db"
    database_pool_size: int = Field(default=10, ge=1)
    database_echo: bool = False
    secret_key: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    log_level: str = "INFO"
    log_json: bool = True
    # The outbox dispatcher runs inside the API process (embedded default); set false when
    # separate `lading worker` processes do it.
    inprocess_dispatcher: bool = True
    dispatcher_interval_seconds: float = Field(default=1.0, gt=0)
    dispatcher_batch_size: int = Field(default=50, ge=1)
    dispatcher_max_attempts: int = Field(default=8, ge=1)
    webhook_url: str | None = None
    webhook_secret: SecretStr = SecretStr(PLACEHOLDER_SECRET)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    page_size_max: int = Field(default=200, ge=1)
    order_max_lines: int = Field(default=500, ge=1)
    # Allocation: nearest_single, min_split or priority; whether ship_complete orders that no
    # single warehouse can fill may be consolidated by a transfer; how long an unpaid prepaid
    # order's reservation lasts.
    allocation_strategy: Literal["nearest_single", "min_split", "priority"] = "nearest_single"
    allocation_consolidation_transfers: bool = True
    unpaid_reservation_minutes: int = Field(default=60, ge=1)
    # Idempotency keys are answered for at least this long, then purged by the worker.
    idempotency_retention_hours: int = Field(default=48, ge=24)
    # Largest JSON or form body a route parses (413 beyond; imports have import_max_bytes).
    # 3 MiB holds the largest legitimate body: a proof of delivery with a 2 MiB photo.
    max_body_bytes: int = Field(default=3 * 1024 * 1024, ge=64 * 1024)
    import_max_orders: int = Field(default=10_000, ge=1)
    import_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    # Whether unit prices (list prices, price lists, overrides) include tax.
    prices_include_tax: bool = False
    # How far above the ordered quantity a purchase order line may be received, in percent.
    po_over_receipt_tolerance_percent: Decimal = Field(default=Decimal(0), ge=0, le=100)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Settings:
        if self.environment != "development":
            for name in ("secret_key", "webhook_secret"):
                value: SecretStr = getattr(self, name)
                if (
                    value.get_secret_value() == PLACEHOLDER_SECRET
                    or len(value.get_secret_value()) < 32
                ):
                    raise ValueError(
                        f"LADING_{name.upper()} must be set to a random value of at least "
                        "32 characters outside development"
                    )
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
