"""A WooCommerce order webhook body (``order.created``, ``order.updated``: the REST v3 Order
resource; ``order.deleted`` sends only ``{"id": …}``) as a :class:`MappedOrder`.
https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties"""

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
    text,
)

# status → what Lading is told: processing and completed orders are paid; on-hold (awaiting
# a bank transfer) and pending (awaiting payment) are not.
_PAYMENT: dict[str, Payment] = {"processing": "paid", "completed": "paid"}
CANCELLED = frozenset({"cancelled", "refunded", "failed", "trash"})
TOPICS = frozenset({"order.created", "order.updated", "order.deleted"})


def order_id_of(payload: Any) -> str:
    """The id of the order a webhook is about (all ``order.deleted`` gives)."""
    return required_text(mapping(payload, "order"), "id")


def map_order(payload: Any) -> MappedOrder:
    """The order the payload describes; :class:`PayloadError` names the first unreadable field."""
    order = mapping(payload, "order")
    order_id = required_text(order, "id")
    status = text(order, "status") or "pending"
    return MappedOrder(
        platform="woocommerce",
        order_id=order_id,
        name=f"#{text(order, 'number') or order_id}",
        currency=currency(order),
        lines=tuple(_line(x, f"line_items.{i}.") for i, x in enumerate(items(order, "line_items"))),
        shipping=tuple(
            ShippingCharge(
                text(s, "method_title") or "shipping", amount(s, "total", f"shipping_lines.{i}.")
            )
            for i, s in enumerate(items(order, "shipping_lines"))
        ),
        tax_total=amount(order, "total_tax"),
        total=amount(order, "total"),
        taxes_included=order.get("prices_include_tax") is True,
        payment=_PAYMENT.get(status, "unpaid"),
        cancelled=status in CANCELLED,
        customer=_customer(order),
        ship_to=_address(order),
        note=text(order, "customer_note"),
    )


def _line(line: Mapping[str, Any], where: str) -> MappedLine:
    qty = quantity(line, where)
    subtotal = amount(line, "subtotal", where)  # before discounts, without tax
    total = amount(line, "total", where)  # after discounts, without tax
    product = text(line, "variation_id", where)
    if product in (None, "0"):
        product = text(line, "product_id", where)
    key = text(line, "sku", where) or (f"product:{product}" if product else None)
    if key is None:
        raise PayloadError(where + "sku", "the line names no SKU and no product")
    list_price = charged_unit_price(subtotal, Decimal(1), Decimal(0)) / qty
    discount = max(subtotal - total, Decimal(0))
    return MappedLine(
        line_item_id=required_text(line, "id", where),
        key=key,
        title=(text(line, "name", where) or key)[:200],
        quantity=qty,
        list_price=charged_unit_price(list_price, Decimal(1), Decimal(0)),
        discount=discount,
        unit_price=charged_unit_price(list_price, qty, discount),
    )


def _customer(order: Mapping[str, Any]) -> MappedCustomer:
    billing = mapping(order.get("billing") or {}, "billing")
    platform_id = text(order, "customer_id")
    name = full_name(text(billing, "first_name"), text(billing, "last_name"))
    return MappedCustomer(
        platform_id=None if platform_id in (None, "0") else platform_id,  # 0: a guest
        email=(text(billing, "email") or "").lower() or None,
        name=name or text(billing, "company") or "WooCommerce customer",
        phone=text(billing, "phone"),
    )


def _address(order: Mapping[str, Any]) -> dict[str, str] | None:
    shipping = mapping(order.get("shipping") or {}, "shipping")
    billing = mapping(order.get("billing") or {}, "billing")
    a = shipping if text(shipping, "address_1") else billing
    if not text(a, "address_1"):
        return None
    street = ", ".join(p for p in (text(a, "address_1"), text(a, "address_2")) if p)
    country = text(a, "country")
    if not country or not text(a, "city"):
        raise PayloadError("shipping", "needs address_1, city and country")
    out = {
        "country": country.upper(),
        "region": text(a, "state"),
        "city": text(a, "city"),
        "postcode": text(a, "postcode"),
        "street": street,
        "recipient": full_name(text(a, "first_name"), text(a, "last_name")),
        "phone": text(a, "phone") or text(billing, "phone"),
        "company": text(a, "company"),
    }
    return {k: v for k, v in out.items() if v}
