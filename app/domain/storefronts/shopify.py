"""A Shopify order webhook body (``orders/create``, ``orders/updated``, ``orders/paid``,
``orders/cancelled``: the REST Order resource) as a :class:`MappedOrder`.
https://shopify.dev/docs/api/admin-rest/latest/resources/order"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.domain.storefronts.orders import (
    MappedCustomer,
    MappedLine,
    MappedOrder,
    PayloadError,
    Payment,
    ShippingCharge,
    amount,
    charged_unit_price,
    currency,
    full_name,
    items,
    mapping,
    quantity,
    required_text,
    tags,
    text,
)

# financial_status → what Lading is told; a refund is the shop's business after payment.
_PAYMENT: dict[str, Payment] = {
    "paid": "paid",
    "partially_refunded": "paid",
    "refunded": "paid",
    "authorized": "authorized",
}
TOPICS = frozenset({"orders/create", "orders/updated", "orders/paid", "orders/cancelled"})


def map_order(payload: Any) -> MappedOrder:
    """The order the payload describes; :class:`PayloadError` names the first unreadable field."""
    order = mapping(payload, "order")
    order_id = required_text(order, "id")
    status = text(order, "financial_status") or "pending"
    return MappedOrder(
        platform="shopify",
        order_id=order_id,
        name=text(order, "name") or f"#{order_id}",
        currency=currency(order),
        lines=tuple(_line(x, f"line_items.{i}.") for i, x in enumerate(items(order, "line_items"))),
        shipping=tuple(
            ShippingCharge(
                text(s, "title") or "shipping", amount(s, "price", f"shipping_lines.{i}.")
            )
            for i, s in enumerate(items(order, "shipping_lines"))
        ),
        tax_total=amount(order, "total_tax"),
        total=amount(order, "total_price"),
        taxes_included=order.get("taxes_included") is True,
        payment=_PAYMENT.get(status, "unpaid"),
        cancelled=order.get("cancelled_at") not in (None, ""),
        customer=_customer(order),
        ship_to=_address(order.get("shipping_address")),
        note=text(order, "note"),
        tags=tags(order.get("tags")),
    )


def _line(line: Mapping[str, Any], where: str) -> MappedLine:
    qty = quantity(line, where)
    price = amount(line, "price", where)
    allocations = items(line, "discount_allocations")
    if allocations:
        discount = sum(
            (
                amount(a, "amount", f"{where}discount_allocations.{i}.")
                for i, a in enumerate(allocations)
            ),
            Decimal(0),
        )
    else:
        discount = amount(line, "total_discount", where)
    product = text(line, "variant_id", where) or text(line, "product_id", where)
    key = text(line, "sku", where) or (f"product:{product}" if product else None)
    if key is None:
        raise PayloadError(where + "sku", "the line names no SKU and no product")
    return MappedLine(
        line_item_id=required_text(line, "id", where),
        key=key,
        title=(text(line, "name", where) or text(line, "title", where) or key)[:200],
        quantity=qty,
        list_price=price,
        discount=discount,
        unit_price=charged_unit_price(price, qty, discount),
    )


def _customer(order: Mapping[str, Any]) -> MappedCustomer:
    raw = order.get("customer")
    customer = mapping(raw, "customer") if raw is not None else {}
    address = order.get("shipping_address") or order.get("billing_address") or {}
    address = mapping(address, "shipping_address")
    name = full_name(text(customer, "first_name"), text(customer, "last_name"))
    return MappedCustomer(
        platform_id=text(customer, "id", "customer."),
        email=(text(order, "email") or text(customer, "email") or "").lower() or None,
        name=name or text(address, "name") or text(order, "email") or "Shopify customer",
        phone=text(customer, "phone") or text(address, "phone"),
    )


def _address(raw: Any) -> dict[str, str] | None:
    if raw is None:
        return None
    a = mapping(raw, "shipping_address")
    street = ", ".join(p for p in (text(a, "address1"), text(a, "address2")) if p)
    country = text(a, "country_code")
    if not street or not country or not text(a, "city"):
        raise PayloadError("shipping_address", "needs address1, city and country_code")
    out = {
        "country": country.upper(),
        "region": text(a, "province") or text(a, "province_code"),
        "city": text(a, "city"),
        "postcode": text(a, "zip"),
        "street": street,
        "recipient": text(a, "name") or full_name(text(a, "first_name"), text(a, "last_name")),
        "phone": text(a, "phone"),
        "company": text(a, "company"),
    }
    return {k: v for k, v in out.items() if v}
