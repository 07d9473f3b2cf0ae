"""The rules of a storefront connection: what it may be set to, checked as a whole."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from app.domain.errors import FieldIssue


class Platform(StrEnum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"


class CustomerMode(StrEnum):
    """``per_customer``: one Lading customer per shop customer (matched by the platform's
    customer id, then email; created when missing). ``account``: every order goes to one
    account customer (retail)."""

    PER_CUSTOMER = "per_customer"
    ACCOUNT = "account"


class SkuMode(StrEnum):
    """``sku``: the shop's SKU is Lading's; ``mapping``: looked up in the connection's table."""

    SKU = "sku"
    MAPPING = "mapping"


class FulfilmentMode(StrEnum):
    """WooCommerce has no fulfilment object: a shipment completes the order, or adds a note."""

    COMPLETE = "complete"
    NOTE = "note"


_API_VERSION = re.compile(r"^\d{4}-(01|04|07|10)$")


def connection_issues(values: Mapping[str, Any]) -> list[FieldIssue]:
    """Every rule the connection ``values`` (all columns) break."""
    issues: list[FieldIssue] = []
    mode = values.get("customer_mode")
    if mode == CustomerMode.ACCOUNT and values.get("account_customer_id") is None:
        issues.append(
            FieldIssue(
                "account_customer_id", "required", "An account connection names its customer."
            )
        )
    if mode == CustomerMode.PER_CUSTOMER and values.get("account_customer_id") is not None:
        issues.append(
            FieldIssue(
                "account_customer_id",
                "per_customer",
                "Only an account connection has an account customer.",
            )
        )
    if values.get("platform") == Platform.SHOPIFY and not _API_VERSION.match(
        str(values.get("api_version") or "")
    ):
        issues.append(FieldIssue("api_version", "format", "A Shopify API version such as 2025-07."))
    return issues


def external_ref(connection_code: str, platform_order_id: str) -> str:
    """The Lading order's external reference: unique per channel even when two shops on one
    channel number their orders alike (WooCommerce order ids are small integers)."""
    return f"{connection_code}:{platform_order_id}"


def customer_code(connection_code: str, platform_id: str | None, email: str | None) -> str:
    """The code of a customer created for a shop customer (guests by their email's digest)."""

    tail = platform_id or hashlib.sha256((email or "").encode()).hexdigest()[:16]
    return f"{connection_code}-{tail}"[:64]
