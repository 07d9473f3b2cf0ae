"""What the fake shop holds: its orders' line items, the fulfilments Lading created on them,
cancellations and the stock levels Lading set. In memory: it is a demo."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

ORDER = "gid://shopify/Order/"
LINE = "gid://shopify/LineItem/"
FO_LINE = "gid://shopify/FulfillmentOrderLineItem/"
LOCATION = "gid://shopify/Location/1"


@dataclass
class Fulfilment:
    id: str
    tracking: list[str]
    lines: dict[str, int]  # line item gid → quantity
    display_status: str = "FULFILLED"


@dataclass
class ShopOrder:
    id: str
    lines: dict[str, int]  # line item gid → quantity ordered
    fulfilments: list[Fulfilment] = field(default_factory=list)
    cancelled_at: str | None = None

    def remaining(self, line: str) -> int:
        return self.lines[line] - sum(f.lines.get(line, 0) for f in self.fulfilments)


@dataclass
class FakeShop:
    orders: dict[str, ShopOrder] = field(default_factory=dict)
    stock: dict[str, int] = field(default_factory=dict)
    counter: Any = field(default_factory=lambda: itertools.count(1))

    def add_order(self, order_id: int, lines: dict[int, int]) -> None:
        gid = f"{ORDER}{order_id}"
        self.orders[gid] = ShopOrder(gid, {f"{LINE}{k}": q for k, q in lines.items()})

    def order_data(self, gid: str) -> dict[str, Any] | None:
        order = self.orders.get(gid)
        if order is None:
            return None
        return {
            "id": order.id,
            "cancelledAt": order.cancelled_at,
            "fulfillments": [
                {
                    "id": f.id,
                    "status": "SUCCESS",
                    "displayStatus": f.display_status,
                    "trackingInfo": [{"number": n} for n in f.tracking],
                }
                for f in order.fulfilments
            ],
            "fulfillmentOrders": {
                "nodes": [
                    {
                        "id": f"gid://shopify/FulfillmentOrder/{order.id.rsplit('/', 1)[1]}",
                        "status": "OPEN",
                        "assignedLocation": {"location": {"id": LOCATION}},
                        "lineItems": {
                            "nodes": [
                                {
                                    "id": FO_LINE + line.rsplit("/", 1)[1],
                                    "remainingQuantity": order.remaining(line),
                                    "lineItem": {"id": line},
                                }
                                for line in order.lines
                            ]
                        },
                    }
                ]
            },
        }

    def fulfil(self, fulfilment: dict[str, Any]) -> dict[str, Any]:
        taken: dict[str, int] = {}
        order: ShopOrder | None = None
        for group in fulfilment.get("lineItemsByFulfillmentOrder", []):
            number = group["fulfillmentOrderId"].rsplit("/", 1)[1]
            order = self.orders.get(f"{ORDER}{number}")
            if order is None:
                continue
            given = group.get("fulfillmentOrderLineItems")
            if given is None:  # the whole fulfillment order
                given = [{"id": k, "quantity": order.remaining(k)} for k in order.lines]
            for line in given:
                item = LINE + line["id"].rsplit("/", 1)[1]
                taken[item] = taken.get(item, 0) + int(line["quantity"])
        if order is None:
            return {"fulfillment": None, "userErrors": [{"field": None, "message": "no order"}]}
        number = (fulfilment.get("trackingInfo") or {}).get("number")
        made = Fulfilment(
            f"gid://shopify/Fulfillment/{next(self.counter)}", [number] if number else [], taken
        )
        order.fulfilments.append(made)
        return {"fulfillment": {"id": made.id, "status": "SUCCESS"}, "userErrors": []}

    def fulfilment(self, gid: str) -> dict[str, Any] | None:
        for order in self.orders.values():
            for f in order.fulfilments:
                if f.id == gid:
                    nodes = [{"quantity": q, "lineItem": {"id": k}} for k, q in f.lines.items()]
                    return {"id": f.id, "fulfillmentLineItems": {"nodes": nodes}}
        return None

    def delivered(self, gid: str) -> dict[str, Any]:
        for order in self.orders.values():
            for f in order.fulfilments:
                if f.id == gid:
                    f.display_status = "DELIVERED"
        return {"fulfillmentEvent": {"id": f"{gid}/event", "status": "DELIVERED"}, "userErrors": []}

    def summary(self) -> dict[str, Any]:
        return {
            "orders": {
                gid: {
                    "cancelled_at": o.cancelled_at,
                    "fulfilments": [
                        {
                            "id": f.id,
                            "tracking": f.tracking,
                            "lines": f.lines,
                            "status": f.display_status,
                        }
                        for f in o.fulfilments
                    ],
                }
                for gid, o in self.orders.items()
            },
            "stock": self.stock,
        }
