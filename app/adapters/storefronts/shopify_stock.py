"""Shopify stock push: the shop's variants by SKU (``productVariants(query: "sku:…")``, exact
matches only, every variant carrying the SKU), the location (``access.location_id`` or the
shop's primary location), then ``inventorySetQuantities`` of ``available`` (reason
``correction``) in batches of 250.

Per API version, as shopify.dev documents it: from 2026-01 the mutation takes
``@idempotent(key:)`` (mandatory from 2026-04); from 2026-04 each quantity must carry
``changeFromQuantity`` (``null`` opts out of the compare-and-set: Lading is the source of
truth for these numbers), before that ``ignoreCompareQuantity: true`` opts out.

The key of a batch is derived from the push id and the batch, so a retry of a push is the
same request; two pushes are two requests even with the same numbers (Shopify answers a
reused key with the first result and changes nothing)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from app.adapters.storefronts import shopify_graphql as gql
from app.adapters.storefronts.base import StockLevel, StockPushResult, StorefrontAccess
from app.adapters.storefronts.wire import (
    Malformed,
    malformed,
    nodes,
    obj,
    optional_text,
    text,
    whole_units,
)

SET_BATCH = 250  # quantities per inventorySetQuantities (Shopify's limit)
SKUS_PER_LOOKUP = 50  # SKUs per productVariants search
KEY_NAMESPACE = uuid.UUID("5e0b7c1e-8f0a-4d7e-9a52-3c1f0d6a2b11")

Call = Callable[[StorefrontAccess, str, dict[str, Any], str], Awaitable[dict[str, Any]]]


def idempotency_key(push_id: str | None, batch: list[dict[str, Any]]) -> str:
    if push_id is None:
        return str(uuid.uuid4())
    payload = json.dumps([push_id, batch], sort_keys=True, separators=(",", ":"))
    return str(uuid.uuid5(KEY_NAMESPACE, payload))


def sku_search(skus: Sequence[str]) -> str:
    return " OR ".join(f"sku:{gql.search_value(sku)}" for sku in skus)


async def push_stock(
    call: Call,
    mutate: Call,
    access: StorefrontAccess,
    levels: Sequence[StockLevel],
    push_id: str | None,
) -> StockPushResult:
    """Set each SKU's ``available`` quantity; ``call`` runs a query, ``mutate`` a mutation
    (raising on its ``userErrors``)."""
    wanted = {level.sku: whole_units(level.available) for level in levels}
    if not wanted:
        return StockPushResult()
    location = await _location(call, access)
    found = await _inventory_items(call, access, list(wanted))
    cas = gql.at_least(access.api_version, "2026-04")
    quantities = [
        {"inventoryItemId": item, "locationId": location, "quantity": wanted[sku]}
        | ({"changeFromQuantity": None} if cas else {})
        for sku, inventory_items in found.items()
        for item in inventory_items
    ]
    for start in range(0, len(quantities), SET_BATCH):
        await _set(mutate, access, quantities[start : start + SET_BATCH], push_id)
    return StockPushResult(
        updated=tuple(sku for sku in wanted if sku in found),
        unknown=tuple(sku for sku in wanted if sku not in found),
    )


async def _set(
    mutate: Call, access: StorefrontAccess, batch: list[dict[str, Any]], push_id: str | None
) -> None:
    version = access.api_version
    key = idempotency_key(push_id, batch) if gql.at_least(version, "2026-01") else None
    stock_input: dict[str, Any] = {
        "name": "available",
        "reason": "correction",
        "quantities": batch,
    }
    if not gql.at_least(version, "2026-04"):
        stock_input["ignoreCompareQuantity"] = True
    await mutate(access, gql.inventory_set(key), {"input": stock_input}, "inventorySetQuantities")


async def _location(call: Call, access: StorefrontAccess) -> str:
    if access.location_id:
        return gql.gid("Location", access.location_id)
    data = await call(access, gql.PRIMARY_LOCATION, {}, "location")
    try:
        return text(obj(data, "location"), "id")
    except Malformed as exc:
        raise malformed("Shopify location answer", exc, 200) from exc


async def _inventory_items(
    call: Call, access: StorefrontAccess, skus: list[str]
) -> dict[str, list[str]]:
    """Inventory item gids per SKU the shop carries (exact SKU matches only)."""
    found: dict[str, list[str]] = defaultdict(list)
    for start in range(0, len(skus), SKUS_PER_LOOKUP):
        chunk = skus[start : start + SKUS_PER_LOOKUP]
        data = await call(
            access, gql.VARIANTS_BY_SKU, {"query": sku_search(chunk)}, "productVariants"
        )
        try:
            for variant in nodes(data, "productVariants"):
                sku = optional_text(variant, "sku")
                if sku in chunk:
                    found[sku].append(text(obj(variant, "inventoryItem"), "id"))
        except Malformed as exc:
            raise malformed("Shopify productVariants answer", exc, 200) from exc
    return dict(found)
