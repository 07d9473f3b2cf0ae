"""The command a shop's webhook becomes (order intake from Shopify and WooCommerce)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class ReceiveStorefrontWebhook:
    """One delivery of a shop's webhook as it came (the signature is over the raw bytes)."""

    connection_code: str
    headers: Mapping[str, str] = field(repr=False)
    raw_body: bytes = field(repr=False)
    received_at: datetime
