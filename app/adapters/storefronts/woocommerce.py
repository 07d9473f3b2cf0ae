"""WooCommerce (REST API v3, ``{site}/wp-json/wc/v3``, HTTP basic auth with the consumer key
and secret) as a storefront gateway, over an injected ``httpx.AsyncClient``.

Written from the WooCommerce REST API documentation (woocommerce.github.io/
woocommerce-rest-api-docs: order notes, orders, products, product variations, batch updates)
and its products controller (``sku`` takes several SKUs separated by commas and then lists
variations too, each with ``type: "variation"`` and its ``parent_id``).

- Fulfilment: ``GET /orders/{id}/notes``; when a note starts ``Shipped SH-…`` (this
  shipment's number, whole) the change is there already and that note's id is returned; else
  ``POST /orders/{id}/notes`` with
  ``Shipped SH-…: <carrier> <tracking number> <tracking url>`` (``customer_note`` per the
  connection's notification setting, so WooCommerce mails it). In ``complete`` mode, once every
  line has shipped, the order is set ``completed`` (``PUT /orders/{id}``) unless it is
  already. With ``woocommerce_shipment_tracking`` the tracking number is also added through
  the Shipment Tracking extension (``/wp-json/wc-shipment-tracking/v3/orders/{id}/
  shipment-trackings``, as a custom provider with its link), before the status changes so the
  "completed order" email carries it; skipped when the order lists that number already.
- Delivery / return: a private note ``Delivered SH-…`` / ``Returned SH-…``, once.
- Cancellation: ``PUT /orders/{id}`` ``{"status": "cancelled"}`` and a private note with
  Lading's reason, unless the order is cancelled already.
- Stock: products and variations by SKU (``GET /products?sku=a,b,c``, exact matches kept;
  a SKU with a comma is looked up alone), then ``POST /products/batch`` and, per parent,
  ``POST /products/{parent}/variations/batch`` with ``{"update": [{id, manage_stock: true,
  stock_quantity}]}``, 100 items per batch (WooCommerce's default limit). An item the batch
  answers with an ``error`` makes the push fail (not retryable) naming it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import httpx

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
from app.adapters.storefronts.wire import (
    DEFAULT_TIMEOUT_S,
    Malformed,
    exchange,
    field,
    integer,
    malformed,
    optional_text,
    text,
    whole_units,
)

API = "/wp-json/wc/v3"
TRACKING_API = "/wp-json/wc-shipment-tracking/v3"
BATCH = 100  # items per batch request (WooCommerce's default woocommerce_rest_batch_items_limit)
SKUS_PER_LOOKUP = 50  # SKUs per GET /products?sku=
PAGE = 100  # per_page, WooCommerce's maximum


def order_path(order_id: str) -> str:
    value = order_id.strip()
    if not value.isdigit():
        raise StorefrontError(f"'{order_id}' is not a WooCommerce order id (a number)")
    return f"/orders/{value}"


def shipped_note(notice: FulfilmentNotice) -> str:
    details = [notice.carrier_name, notice.tracking_number, notice.tracking_url]
    said = " ".join(d for d in details if d)
    return f"Shipped {notice.reference}" + (f": {said}" if said else "")


def lookup_chunks(skus: list[str]) -> list[list[str]]:
    """SKUs grouped for ``?sku=a,b,c``; one with a comma in it alone (WooCommerce then also
    matches the whole string)."""
    plain = [s for s in skus if "," not in s]
    chunks = [plain[i : i + SKUS_PER_LOOKUP] for i in range(0, len(plain), SKUS_PER_LOOKUP)]
    return chunks + [[s] for s in skus if "," in s]


class WooCommerceGateway:
    platform: Platform = "woocommerce"

    def __init__(self, client: httpx.AsyncClient, *, timeout_s: float = DEFAULT_TIMEOUT_S):
        self.client = client
        self.timeout_s = timeout_s

    async def _call(
        self, access: StorefrontAccess, method: str, path: str, *, api: str = API, **kwargs: Any
    ) -> Any:
        if not access.consumer_key or not access.consumer_secret:
            raise StorefrontError("The WooCommerce connection has no consumer key and secret.")
        return await exchange(
            self.client,
            method,
            access.base_url.rstrip("/") + api + path,
            timeout_s=self.timeout_s,
            auth=httpx.BasicAuth(access.consumer_key, access.consumer_secret),
            **kwargs,
        )

    async def _list(self, access: StorefrontAccess, path: str, **params: Any) -> list[Any]:
        answer = await self._call(access, "GET", path, params=params or None)
        if not isinstance(answer, list):
            raise malformed(f"WooCommerce {path}", Malformed("not a list"), 200)
        return answer

    async def _notes(self, access: StorefrontAccess, order: str) -> list[Any]:
        return await self._list(access, f"{order}/notes")

    async def _note_with(self, access: StorefrontAccess, order: str, marker: str) -> str | None:
        """The id of the order's first note that starts with ``marker`` as a whole (``Shipped
        SH-1`` is not found in ``Shipped SH-10: ...``)."""
        try:
            for note in await self._notes(access, order):
                said = optional_text(note, "note") or ""
                if said == marker or said.startswith((marker + ":", marker + " ")):
                    return text(note, "id")
        except Malformed as exc:
            raise malformed("WooCommerce order notes", exc, 200) from exc
        return None

    async def _add_note(
        self, access: StorefrontAccess, order: str, note: str, customer_note: bool
    ) -> str:
        body = {"note": note, "customer_note": customer_note}
        answer = await self._call(access, "POST", f"{order}/notes", json=body)
        try:
            return text(answer, "id")
        except Malformed as exc:
            raise malformed("WooCommerce order note", exc, 201) from exc

    async def _status(self, access: StorefrontAccess, order: str) -> str:
        answer = await self._call(access, "GET", order)
        try:
            return text(answer, "status")
        except Malformed as exc:
            raise malformed("WooCommerce order", exc, 200) from exc

    async def _set_status(self, access: StorefrontAccess, order: str, status: str) -> bool:
        """Set the order's status; False when it stood so already."""
        if await self._status(access, order) == status:
            return False
        await self._call(access, "PUT", order, json={"status": status})
        return True

    # --- fulfilment, delivery, cancellation ---------------------------------------------

    async def fulfil(self, access: StorefrontAccess, notice: FulfilmentNotice) -> str:
        order = order_path(notice.order_id)
        note_id = await self._note_with(access, order, f"Shipped {notice.reference}")
        if access.woocommerce_shipment_tracking and notice.tracking_number:
            await self._track(access, order, notice)
        if note_id is None:
            note_id = await self._add_note(
                access, order, shipped_note(notice), notice.notify_customer
            )
        if access.woocommerce_mode == "complete" and notice.complete:
            await self._set_status(access, order, "completed")
        return note_id

    async def _track(self, access: StorefrontAccess, order: str, notice: FulfilmentNotice) -> None:
        path = f"{order}/shipment-trackings"
        listed = await self._call(access, "GET", path, api=TRACKING_API)
        if isinstance(listed, list) and any(
            isinstance(t, dict) and t.get("tracking_number") == notice.tracking_number
            for t in listed
        ):
            return
        body = {
            "tracking_number": notice.tracking_number,
            "custom_tracking_provider": notice.carrier_name or "Carrier",
        }
        if notice.tracking_url:
            body["custom_tracking_link"] = notice.tracking_url
        await self._call(access, "POST", path, api=TRACKING_API, json=body)

    async def delivered(self, access: StorefrontAccess, notice: DeliveryNotice) -> None:
        order = order_path(notice.order_id)
        marker = f"{notice.event.capitalize()} {notice.reference}"
        if await self._note_with(access, order, marker) is not None:
            return
        note = marker + (f" (tracking {notice.tracking_number})" if notice.tracking_number else "")
        await self._add_note(access, order, note, False)

    async def cancel(self, access: StorefrontAccess, order_id: str, reason: str) -> None:
        order = order_path(order_id)
        if await self._set_status(access, order, "cancelled"):
            await self._add_note(access, order, f"Cancelled in Lading: {reason}", False)

    # --- stock --------------------------------------------------------------------------

    async def set_stock(
        self,
        access: StorefrontAccess,
        levels: Sequence[StockLevel],
        *,
        push_id: str | None = None,
    ) -> StockPushResult:
        """``push_id`` is not needed: WooCommerce's batch update sets absolute quantities."""
        wanted = {level.sku: whole_units(level.available) for level in levels}
        found = await self._products(access, list(wanted))
        targets: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for sku, products in found.items():
            for product_id, parent_id in products:
                path = f"/products/{parent_id}/variations/batch" if parent_id else "/products/batch"
                update = {"id": product_id, "manage_stock": True, "stock_quantity": wanted[sku]}
                targets[path].append(update)
        failed: list[str] = []
        for path, updates in targets.items():
            for start in range(0, len(updates), BATCH):
                failed += await self._batch(access, path, updates[start : start + BATCH])
        if failed:
            raise StorefrontError(f"WooCommerce refused stock updates: {'; '.join(failed)}")
        return StockPushResult(
            updated=tuple(sku for sku in wanted if sku in found),
            unknown=tuple(sku for sku in wanted if sku not in found),
        )

    async def _products(
        self, access: StorefrontAccess, skus: list[str]
    ) -> dict[str, list[tuple[int, int | None]]]:
        """(product id, parent id for a variation) per SKU the shop carries."""
        found: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
        for chunk in lookup_chunks(skus):
            listed = await self._list(
                access, "/products", sku=",".join(chunk), per_page=PAGE, status="any"
            )
            try:
                for product in listed:
                    sku = optional_text(product, "sku")
                    if sku in chunk:
                        variation = product.get("type") == "variation"
                        parent = integer(product, "parent_id") if variation else None
                        found[sku].append((integer(product, "id"), parent))
            except (Malformed, AttributeError) as exc:
                raise malformed("WooCommerce products", exc, 200) from exc
        return dict(found)

    async def _batch(
        self, access: StorefrontAccess, path: str, updates: list[dict[str, Any]]
    ) -> list[str]:
        """Send one batch; the items it refused, described."""
        answer = await self._call(access, "POST", path, json={"update": updates})
        try:
            done = field(answer, "update")
            if not isinstance(done, list):
                raise Malformed("field 'update' is not a list")
        except Malformed as exc:
            raise malformed(f"WooCommerce {path} answer", exc, 200) from exc
        refused = []
        for item in done:
            error = item.get("error") if isinstance(item, dict) else None
            if isinstance(error, dict):
                refused.append(f"{item.get('id')}: {error.get('code')}: {error.get('message')}")
        return refused


def as_gateway(gateway: WooCommerceGateway) -> StorefrontGateway:
    """The adapter as the port (mypy checks here that it implements every method)."""
    return gateway
