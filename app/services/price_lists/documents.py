"""A price list with its items, as it is read and as its audit images show it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from app.domain.price_lists import ItemDraft
from app.repositories.base import jsonable, snapshot
from app.repositories.products import PriceList, PriceListItem


@dataclass(frozen=True)
class PriceListDocument:
    """A price list with its items (by SKU), as it is read."""

    id: uuid.UUID
    code: str
    name: str
    kind: str
    customer_group: str | None
    currency: str
    active: bool
    items: list[ItemDraft]
    version: int
    created_at: datetime
    updated_at: datetime


def sorted_items(items: Iterable[ItemDraft]) -> list[ItemDraft]:
    return sorted(items, key=lambda i: (i.sku, i.min_quantity, i.valid_from or date.min))


def document(row: PriceList, items: Iterable[ItemDraft]) -> PriceListDocument:
    return PriceListDocument(
        id=row.id,
        code=row.code,
        name=row.name,
        kind=row.kind,
        customer_group=row.customer_group,
        currency=row.currency,
        active=row.active,
        items=sorted_items(items),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def image(row: PriceList, items: Sequence[ItemDraft]) -> dict[str, Any]:
    """The audit image of the list: its columns and its items."""
    return snapshot(row) | {"items": [jsonable(asdict(item)) for item in sorted_items(items)]}


def item_drafts(rows: Iterable[tuple[PriceListItem, str]]) -> list[ItemDraft]:
    return [
        ItemDraft(sku, item.unit_price, item.min_quantity, item.valid_from, item.valid_to)
        for item, sku in rows
    ]


def same_items(a: Sequence[ItemDraft], b: Sequence[ItemDraft]) -> bool:
    # Dataclass equality compares Decimals by value, so 12.5 and 12.5000 are the same price.
    return sorted_items(a) == sorted_items(b)
