"""The Shopify Admin GraphQL documents the Shopify adapter sends, and the one call that sends
them (``POST {shop}/admin/api/{version}/graphql.json``, header ``X-Shopify-Access-Token``,
body ``{"query", "variables"}``).

Written from shopify.dev's GraphQL Admin reference: ``Order.fulfillmentOrders`` and
``Order.fulfillments``, ``fulfillmentCreate(fulfillment: FulfillmentInput!)``,
``fulfillmentEventCreate(fulfillmentEvent: FulfillmentEventInput!)``, ``orderCancel``,
``productVariants(query:)``, ``location``, ``inventorySetQuantities`` and the
``@idempotent(key:)`` directive (shopify.dev/docs/api/usage/idempotent-requests).

Errors, as Shopify reports them: a top-level ``errors`` list under 200 (``extensions.code``
``THROTTLED`` when the query-cost bucket is empty, ``INTERNAL_SERVER_ERROR``) — the first two
retryable, others (``ACCESS_DENIED``, a query that does not parse) not; a mutation's
``userErrors`` (``orderCancelUserErrors`` for ``orderCancel``) — not retryable."""

from __future__ import annotations

from typing import Any

import httpx

from app.adapters.storefronts.base import StorefrontAccess, StorefrontError
from app.adapters.storefronts.wire import Malformed, exchange, malformed

RETRYABLE_CODES = frozenset({"THROTTLED", "INTERNAL_SERVER_ERROR"})

# Sizes: Shopify refuses a query whose requested cost (each object 1, each connection
# 2 + first x its node) passes 1,000 points, and charges the requested cost against the
# shop's bucket before running it. The order's state is about 830 points: 50 fulfilments
# with 3 tracking numbers each (~200), 6 fulfillment orders of 50 line items (~630). What a
# fulfilment holds is read apart, only for the fulfilments that carry the tracking number.
# Orders beyond those sizes (over 50 fulfilments, 6 fulfillment orders, 50 lines in one) are
# not fully seen: a line out of sight is reported as having nothing left to fulfil.

# The fulfilments already on an order with their tracking numbers: the idempotency check of
# a fulfilment and the target of a delivery event.
FULFILMENTS = """
    fulfillments(first: 50) {
      id
      status
      displayStatus
      trackingInfo(first: 3) { number }
    }"""

FULFILMENT_STATE = (
    """query LadingFulfilmentState($id: ID!) {
  order(id: $id) {
    id"""
    + FULFILMENTS
    + """
    fulfillmentOrders(first: 6) {
      nodes {
        id
        status
        assignedLocation { location { id } }
        lineItems(first: 50) { nodes { id remainingQuantity lineItem { id } } }
      }
    }
  }
}"""
)

ORDER_FULFILMENTS = (
    """query LadingOrderFulfilments($id: ID!) {
  order(id: $id) {
    id"""
    + FULFILMENTS
    + """
  }
}"""
)

FULFILMENT_LINES = """query LadingFulfilmentLines($id: ID!) {
  fulfillment(id: $id) {
    id
    fulfillmentLineItems(first: 100) { nodes { quantity lineItem { id } } }
  }
}"""

FULFILMENT_CREATE = """mutation LadingFulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}"""

FULFILMENT_EVENT_CREATE = """mutation LadingFulfilmentEvent(
  $fulfillmentEvent: FulfillmentEventInput!
) {
  fulfillmentEventCreate(fulfillmentEvent: $fulfillmentEvent) {
    fulfillmentEvent { id status }
    userErrors { field message }
  }
}"""

ORDER_CANCELLED = """query LadingOrderCancelled($id: ID!) {
  order(id: $id) { id cancelledAt }
}"""


def order_cancel(refund_method: bool) -> str:
    """``orderCancel``: since 2025-07 the refund is chosen with ``refundMethod``
    (``OrderCancelRefundMethodInput``); before, with ``refund: Boolean!``."""
    refund_var, refund_arg = (
        ("$refundMethod: OrderCancelRefundMethodInput", "refundMethod: $refundMethod")
        if refund_method
        else ("$refund: Boolean!", "refund: $refund")
    )
    return f"""mutation LadingCancel(
  $orderId: ID!, $reason: OrderCancelReason!, {refund_var},
  $restock: Boolean!, $notifyCustomer: Boolean, $staffNote: String
) {{
  orderCancel(
    orderId: $orderId, reason: $reason, {refund_arg},
    restock: $restock, notifyCustomer: $notifyCustomer, staffNote: $staffNote
  ) {{
    job {{ id done }}
    orderCancelUserErrors {{ field message code }}
  }}
}}"""


PRIMARY_LOCATION = """query LadingPrimaryLocation {
  location { id }
}"""

VARIANTS_BY_SKU = """query LadingVariantsBySku($query: String!) {
  productVariants(first: 250, query: $query) {
    nodes { sku inventoryItem { id } }
  }
}"""


def inventory_set(key: str | None) -> str:
    """``inventorySetQuantities``, with ``@idempotent(key: ...)`` when a key is given (the key
    is a UUID: nothing in it needs escaping)."""
    directive = f' @idempotent(key: "{key}")' if key else ""
    return (
        """mutation LadingSetStock($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input)"""
        + directive
        + """ {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}"""
    )


def at_least(version: str, floor: str) -> bool:
    """Whether API version ``version`` (``YYYY-MM`` or ``unstable``) is ``floor`` or later."""
    return version == "unstable" or version >= floor


def gid(kind: str, value: str) -> str:
    """``gid://shopify/{kind}/{n}`` for a bare number, the gid itself when given one."""
    value = value.strip()
    if value.startswith(f"gid://shopify/{kind}/"):
        return value
    if value.isdigit():
        return f"gid://shopify/{kind}/{value}"
    raise StorefrontError(f"'{value}' is not a Shopify {kind} id (a number or its gid)")


def search_value(value: str) -> str:
    """A value of Shopify's search syntax, quoted (``sku:"A-1"``)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _error_code(error: Any) -> str | None:
    extensions = error.get("extensions") if isinstance(error, dict) else None
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return str(code) if code else None


def _message(error: Any) -> str:
    return str(error.get("message") or error) if isinstance(error, dict) else str(error)


def top_level_error(operation: str, errors: Any) -> StorefrontError:
    listed = errors if isinstance(errors, list) else [errors]
    codes = {c for c in map(_error_code, listed) if c}
    text = "; ".join(_message(e) for e in listed)
    return StorefrontError(
        f"Shopify {operation}: {text}" + (f" ({', '.join(sorted(codes))})" if codes else ""),
        retryable=bool(codes & RETRYABLE_CODES),
    )


def raise_user_errors(operation: str, errors: Any) -> None:
    """``userErrors`` of a mutation → a ``StorefrontError`` naming each field and message."""
    if not errors:
        return
    listed = errors if isinstance(errors, list) else [errors]
    described = []
    for error in listed:
        where = error.get("field") if isinstance(error, dict) else None
        path = ".".join(map(str, where)) if isinstance(where, list) else None
        described.append(f"{path}: {_message(error)}" if path else _message(error))
    raise StorefrontError(f"Shopify {operation} refused: {'; '.join(described)}")


async def graphql(
    client: httpx.AsyncClient,
    access: StorefrontAccess,
    query: str,
    variables: dict[str, Any],
    *,
    operation: str,
    timeout_s: float,
) -> dict[str, Any]:
    """The ``data`` of one GraphQL request; ``StorefrontError`` for anything else."""
    if not access.access_token:
        raise StorefrontError("The Shopify connection has no Admin API access token.")
    url = f"{access.base_url.rstrip('/')}/admin/api/{access.api_version}/graphql.json"
    body = await exchange(
        client,
        "POST",
        url,
        timeout_s=timeout_s,
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": access.access_token},
    )
    if isinstance(body, dict) and body.get("errors"):
        raise top_level_error(operation, body["errors"])
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict):
        raise malformed(f"Shopify {operation} answer", Malformed("no 'data' object"), 200)
    return data
