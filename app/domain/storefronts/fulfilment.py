"""Which of a shop order's own lines a Lading shipment fulfils.

Lading merges a shop's lines of one SKU into one order line; a shipment of that SKU is spread
back over the shop's lines in their order, after the units earlier shipments took."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any


def fulfilled_lines(
    shop_lines: Sequence[Mapping[str, Any]],
    shipped: Mapping[str, tuple[Decimal, Decimal]],
) -> list[dict[str, Any]]:
    """``shipped``: sku → (units shipped before this shipment, units in it). The shop's line
    item ids with the whole units of each this shipment fulfils."""
    out: list[dict[str, Any]] = []
    for sku, (before, now) in shipped.items():
        skip, take = before, now
        for line in (x for x in shop_lines if x.get("sku") == sku):
            quantity = Decimal(str(line.get("quantity", "0")))
            passed = min(skip, quantity)
            skip -= passed
            taken = min(take, quantity - passed)
            take -= taken
            if taken > 0:
                out.append({"line_item_id": str(line["line_item_id"]), "quantity": int(taken)})
    return out
