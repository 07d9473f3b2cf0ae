"""Commands of the customer use cases (plain values: documents as JSON-ready dicts)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class CreateCustomer:
    principal: Principal
    code: str
    name: str
    contacts: list[dict[str, Any]]
    bill_to: dict[str, Any] | None
    ship_to: list[dict[str, Any]]
    credit_limit: Decimal
    currency: str
    payment_terms_days: int
    price_list_id: uuid.UUID | None
    customer_group: str | None
    status: str
    tags: list[str]
    shipping_preference: str
    preferred_carrier: str | None
    active: bool
    invoicing_policy: str = "on_shipment"
    invoicing_period: str | None = None
    invoice_type: str = "ordinary"
    tax_registration: dict[str, Any] | None = None
    language: str = "zh-CN"
    email_opt_out: bool = False
    sms_opt_out: bool = False


@dataclass(frozen=True, kw_only=True)
class UpdateCustomer:
    """``changes`` holds only the fields given (a document or list replaces the stored one)."""

    principal: Principal
    customer_id: uuid.UUID
    expected_version: int
    changes: Mapping[str, Any]
