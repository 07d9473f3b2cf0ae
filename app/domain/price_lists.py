"""Price list rules: what kind of list it is, and what makes its items valid.

A *customer* list is one that customers point at; a *group* list applies to every customer of
one customer group. Items are prices per product from a minimum quantity (a quantity break),
optionally within validity dates. Choosing the price for an order is ``app.domain.pricing``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import FieldIssue
from app.domain.products import EXISTS, precision_issues, raise_for_issues


class PriceListKind(StrEnum):
    CUSTOMER = "customer"
    GROUP = "group"


@dataclass(frozen=True)
class ItemDraft:
    """One price-list item as given: a product by SKU, a quantity break, a price, dates."""

    sku: str
    unit_price: Decimal
    min_quantity: Decimal = Decimal(0)
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def key(self) -> tuple[str, Decimal, date | None]:
        """What identifies an item within its list."""
        return (self.sku, self.min_quantity, self.valid_from)


def header_issues(kind: PriceListKind, customer_group: str | None) -> list[FieldIssue]:
    """A group list names its customer group; a customer list has none."""
    if kind is PriceListKind.GROUP and not customer_group:
        return [
            FieldIssue("customer_group", "required", "A group price list needs a customer_group.")
        ]
    if kind is PriceListKind.CUSTOMER and customer_group:
        return [
            FieldIssue(
                "customer_group",
                "group_lists_only",
                "Only a group price list has a customer_group; customers point at a customer "
                "list directly.",
            )
        ]
    return []


def item_issues(
    items: Sequence[ItemDraft], precision_by_sku: Mapping[str, int]
) -> list[FieldIssue]:
    """Every rule the items break. ``precision_by_sku`` holds the unit-of-measure precision of
    every product that exists. An item names an existing product, its price and quantity break
    are not negative, its quantity break fits the product's unit, ``valid_from ≤ valid_to``,
    and no two items share (sku, min_quantity, valid_from)."""
    issues: list[FieldIssue] = []
    first_at: dict[tuple[str, Decimal, date | None], int] = {}
    for index, item in enumerate(items):
        path = f"items.{index}"
        precision = precision_by_sku.get(item.sku)
        if precision is None:
            issues.append(FieldIssue(f"{path}.sku", EXISTS, f"No product with SKU '{item.sku}'."))
        if item.unit_price < 0:
            issues.append(
                FieldIssue(f"{path}.unit_price", "not_negative", "A price cannot be negative.")
            )
        if item.min_quantity < 0:
            issues.append(
                FieldIssue(
                    f"{path}.min_quantity", "not_negative", "A quantity break cannot be negative."
                )
            )
        elif precision is not None:
            issues += precision_issues(item.min_quantity, precision, f"{path}.min_quantity")
        if item.valid_from and item.valid_to and item.valid_from > item.valid_to:
            issues.append(
                FieldIssue(
                    f"{path}.valid_to",
                    "not_before_valid_from",
                    f"valid_to ({item.valid_to}) is before valid_from ({item.valid_from}).",
                )
            )
        if item.key in first_at:
            issues.append(
                FieldIssue(
                    path,
                    "unique_item",
                    f"Item {first_at[item.key]} already prices '{item.sku}' from quantity "
                    f"{item.min_quantity} and the same valid_from.",
                )
            )
        else:
            first_at[item.key] = index
    return issues


def check_price_list(
    kind: PriceListKind,
    customer_group: str | None,
    items: Sequence[ItemDraft] = (),
    precision_by_sku: Mapping[str, int] | None = None,
) -> None:
    """Raise with every broken rule of the list and its items, all at once."""
    raise_for_issues(
        header_issues(kind, customer_group) + item_issues(items, precision_by_sku or {})
    )
