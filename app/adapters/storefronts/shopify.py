"""Shopify (Admin GraphQL API) as a storefront gateway, over an injected ``httpx.AsyncClient``;
the documents it sends are in :mod:`app.adapters.storefronts.shopify_graphql`.

- Fulfilment: one read of the order (its open fulfillment orders with their line items and
  remaining quantities, and the fulfilments it already has with their tracking numbers), a
  read of what the fulfilments with this tracking number hold, then ``fulfillmentCreate`` with
  ``lineItemsByFulfillmentOrder``, ``trackingInfo {number, company, url}`` and
  ``notifyCustomer``. Lading's lines name Shopify's REST line item ids (as the order webhook
  gives them); they are matched to the fulfillment-order line items through
  ``lineItem { id }`` (``gid://shopify/LineItem/N``), spread over several fulfillment orders
  when Shopify split a line, and one fulfilment is created per assigned location (Shopify
  takes fulfillment orders of one location per call). Idempotency: what the order's live
  fulfilments with the same tracking number already hold is taken off first; when nothing is
  left the existing fulfilment is returned and nothing is sent (a retry after a crash half
  way sends only the rest). Without a tracking number the shipment number stands in for it.
  A line Shopify has nothing left to fulfil (fulfilled by hand in the Shopify admin, on hold)
  is a non-retryable error, raised before anything is sent.
- Delivery: ``fulfillmentEventCreate`` with status ``DELIVERED`` on the fulfilment with that
  tracking number, unless it already shows delivered; nothing when there is none. Shopify
  has no fulfilment event for a parcel coming back, so a return sends nothing.
- Cancellation: ``orderCancel`` (reason ``OTHER``, no refund, no restock, the customer not
  notified, Lading's reason as the staff note), unless the order is cancelled already.
- Stock: ``inventorySetQuantities`` by SKU (:mod:`app.adapters.storefronts.shopify_stock`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

import httpx

from app.adapters.storefronts import shopify_graphql as gql
from app.adapters.storefronts.base import (
    DeliveryNotice,
    FulfilmentNotice,
    Platform,
    StockLevel,
    StockPushResult,
    StorefrontAccess,
    StorefrontError,
    StorefrontGateway,
)
from app.adapters.storefronts.shopify_graphql import at_least
from app.adapters.storefronts.shopify_stock import push_stock
from app.adapters.storefronts.wire import (
    DEFAULT_TIMEOUT_S,
    Malformed,
    integer,
    items,
    malformed,
    nodes,
    obj,
    optional_text,
    text,
)

FULFILLABLE = frozenset({"OPEN", "IN_PROGRESS"})
LIVE_FULFILMENT = frozenset({"SUCCESS", "OPEN", "PENDING"})  # not CANCELLED, ERROR, FAILURE


def tracking_numbers(fulfilment: Any) -> set[str]:
    return {n for n in (optional_text(t, "number") for t in items(fulfilment, "trackingInfo")) if n}


def line_quantities(fulfilment: Any) -> Counter[str]:
    """What a fulfilment holds: quantity per line item gid."""
    held: Counter[str] = Counter()
    for line in nodes(fulfilment, "fulfillmentLineItems"):
        held[text(obj(line, "lineItem"), "id")] += integer(line, "quantity")
    return held


class ShopifyGateway:
    platform: Platform = "shopify"

    def __init__(self, client: httpx.AsyncClient, *, timeout_s: float = DEFAULT_TIMEOUT_S):
        self.client = client
        self.timeout_s = timeout_s

    async def _call(
        self, access: StorefrontAccess, query: str, variables: dict[str, Any], operation: str
    ) -> dict[str, Any]:
        return await gql.graphql(
            self.client, access, query, variables, operation=operation, timeout_s=self.timeout_s
        )

    async def _mutate(
        self,
        access: StorefrontAccess,
        query: str,
        variables: dict[str, Any],
        operation: str,
        errors_key: str = "userErrors",
    ) -> dict[str, Any]:
        data = await self._call(access, query, variables, operation)
        try:
            payload = obj(data, operation)
        except Malformed as exc:
            raise malformed(f"Shopify {operation} answer", exc, 200) from exc
        gql.raise_user_errors(operation, payload.get(errors_key))
        return payload

    async def _order(self, access: StorefrontAccess, query: str, order_id: str) -> dict[str, Any]:
        order_gid = gql.gid("Order", order_id)
        data = await self._call(access, query, {"id": order_gid}, "order")
        order = data.get("order")
        if not isinstance(order, dict):
            raise StorefrontError(f"Shopify has no order {order_gid}.", status=404)
        return order

    @staticmethod
    def _mine(order: dict[str, Any], number: str) -> list[str]:
        """The ids of the order's live fulfilments carrying tracking number ``number``."""
        try:
            return [
                text(f, "id")
                for f in items(order, "fulfillments")
                if isinstance(f, dict)
                and f.get("status") in LIVE_FULFILMENT
                and number in tracking_numbers(f)
            ]
        except Malformed as exc:
            raise malformed("Shopify order fulfilments", exc, 200) from exc

    async def _held(self, access: StorefrontAccess, fulfilment_ids: list[str]) -> Counter[str]:
        """What the given fulfilments hold together."""
        held: Counter[str] = Counter()
        for fulfilment_id in fulfilment_ids:
            data = await self._call(
                access, gql.FULFILMENT_LINES, {"id": fulfilment_id}, "fulfillment"
            )
            try:
                held += line_quantities(obj(data, "fulfillment"))
            except Malformed as exc:
                raise malformed("Shopify fulfillment", exc, 200) from exc
        return held

    # --- fulfilment ---------------------------------------------------------------------

    async def fulfil(self, access: StorefrontAccess, notice: FulfilmentNotice) -> str:
        order = await self._order(access, gql.FULFILMENT_STATE, notice.order_id)
        number = notice.tracking_number or notice.reference
        mine = self._mine(order, number)
        if mine and not notice.lines:
            return mine[0]
        wanted = self._wanted(notice, await self._held(access, mine))
        if mine and not wanted:
            return mine[0]
        try:
            groups = self._placements(order, wanted)
        except (Malformed, AttributeError) as exc:
            raise malformed("Shopify fulfillment orders", exc, 200) from exc
        created = [await self._create(access, notice, number, group) for group in groups]
        return mine[0] if mine else created[0]

    @staticmethod
    def _wanted(notice: FulfilmentNotice, held: Counter[str]) -> Counter[str] | None:
        """Quantities still to fulfil per line item gid (None: the whole order)."""
        if not notice.lines:
            return None
        wanted: Counter[str] = Counter()
        for line in notice.lines:
            wanted[gql.gid("LineItem", line.line_item_id)] += line.quantity
        return Counter({k: q - held[k] for k, q in wanted.items() if q - held[k] > 0})

    @staticmethod
    def _placements(
        order: dict[str, Any], wanted: Counter[str] | None
    ) -> list[list[dict[str, Any]]]:
        """``lineItemsByFulfillmentOrder`` entries, one list per assigned location."""
        need = Counter(wanted) if wanted is not None else None
        by_location: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for fo in nodes(order, "fulfillmentOrders"):
            if fo.get("status") not in FULFILLABLE:
                continue
            assigned = fo.get("assignedLocation")
            location = optional_text(assigned.get("location"), "id") if assigned else None
            taken = []
            for line in nodes(fo, "lineItems"):
                remaining = integer(line, "remainingQuantity")
                item = text(obj(line, "lineItem"), "id")
                quantity = remaining if need is None else min(remaining, need[item])
                if quantity > 0:
                    taken.append({"id": text(line, "id"), "quantity": quantity})
                    if need is not None:
                        need[item] -= quantity
            if taken:
                entry: dict[str, Any] = {"fulfillmentOrderId": text(fo, "id")}
                if need is not None:
                    entry["fulfillmentOrderLineItems"] = taken
                by_location[location or ""].append(entry)
        short = sorted(k for k, q in (need or Counter()).items() if q > 0)
        if short or not by_location:
            what = ", ".join(f"{k} ({(need or Counter())[k]} short)" for k in short) or "any line"
            raise StorefrontError(
                f"Shopify order {order.get('id')} has nothing left to fulfil for {what}."
            )
        return list(by_location.values())

    async def _create(
        self,
        access: StorefrontAccess,
        notice: FulfilmentNotice,
        number: str,
        group: list[dict[str, Any]],
    ) -> str:
        tracking = {"number": number, "company": notice.carrier_name, "url": notice.tracking_url}
        fulfilment = {
            "lineItemsByFulfillmentOrder": group,
            "trackingInfo": {k: v for k, v in tracking.items() if v},
            "notifyCustomer": notice.notify_customer,
        }
        payload = await self._mutate(
            access, gql.FULFILMENT_CREATE, {"fulfillment": fulfilment}, "fulfillmentCreate"
        )
        try:
            return text(obj(payload, "fulfillment"), "id")
        except Malformed as exc:
            raise malformed("Shopify fulfillmentCreate answer", exc, 200) from exc

    # --- delivery and cancellation ------------------------------------------------------

    async def delivered(self, access: StorefrontAccess, notice: DeliveryNotice) -> None:
        if notice.event != "delivered":
            return
        order = await self._order(access, gql.ORDER_FULFILMENTS, notice.order_id)
        mine = self._mine(order, notice.tracking_number or notice.reference)
        shown = {
            f.get("id"): f.get("displayStatus")
            for f in items(order, "fulfillments")
            if isinstance(f, dict)
        }
        if not mine or shown.get(mine[0]) == "DELIVERED":
            return
        event = {"fulfillmentId": mine[0], "status": "DELIVERED"}
        await self._mutate(
            access,
            gql.FULFILMENT_EVENT_CREATE,
            {"fulfillmentEvent": event},
            "fulfillmentEventCreate",
        )

    async def cancel(self, access: StorefrontAccess, order_id: str, reason: str) -> None:
        order = await self._order(access, gql.ORDER_CANCELLED, order_id)
        if order.get("cancelledAt"):
            return
        variables: dict[str, Any] = {
            "orderId": gql.gid("Order", order_id),
            "reason": "OTHER",
            "restock": False,
            "notifyCustomer": False,
            "staffNote": f"Cancelled in Lading: {reason}",
        }
        refund_method = at_least(access.api_version, "2025-07")
        if refund_method:
            variables["refundMethod"] = {"originalPaymentMethodsRefund": False}
        else:
            variables["refund"] = False
        await self._mutate(
            access,
            gql.order_cancel(refund_method),
            variables,
            "orderCancel",
            "orderCancelUserErrors",
        )

    async def set_stock(
        self,
        access: StorefrontAccess,
        levels: Sequence[StockLevel],
        *,
        push_id: str | None = None,
    ) -> StockPushResult:
        return await push_stock(self._call, self._mutate, access, levels, push_id)


def as_gateway(gateway: ShopifyGateway) -> StorefrontGateway:
    """The adapter as the port (mypy checks here that it implements every method)."""
    return gateway
