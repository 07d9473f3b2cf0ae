"""Commands of the price-list use cases (items as domain drafts, products by SKU)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.auth import Principal
from app.domain.price_lists import ItemDraft

# The header fields of a list (everything but its code and items).
HEADER = ("name", "kind", "customer_group", "currency", "active")


@dataclass(frozen=True, kw_only=True)
class CreatePriceList:
    principal: Principal
    code: str
    name: str
    kind: str
    customer_group: str | None
    currency: str
    active: bool = True
    items: list[ItemDraft] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class UpdatePriceList:
    """``changes``: the header fields given; ``items``, when not None, replaces every item."""

    principal: Principal
    price_list_id: uuid.UUID
    expected_version: int
    changes: Mapping[str, Any]
    items: list[ItemDraft] | None = None
