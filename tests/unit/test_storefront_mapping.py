"""The pure mapping of shop payloads (the platforms' own published examples) and signatures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.storefronts import shopify, signatures, woocommerce
from app.domain.storefronts.orders import PayloadError, charged_unit_price

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "storefronts"


def _load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def test_the_shopify_order_maps_its_lines_customer_address_and_payment() -> None:
    order = shopify.map_order(_load("shopify_orders_create.json"))
    assert order.order_id == "450789469" and order.name == "#1001"
    assert [(x.line_item_id, x.key) for x in order.lines] == [
        ("466157049", "IPOD2008GREEN"),
        ("518995019", "IPOD2008RED"),
        ("703073504", "IPOD2008BLACK"),
    ]
    assert order.payment == "authorized"
    assert order.customer.platform_id == "207119551"
    assert order.customer.email == "bob.norman@hostmail.com"
    assert order.ship_to is not None
    assert order.ship_to["phone"] == "555-625-1199"
    assert order.ship_to["country"] == "US"
    assert order.total == Decimal("409.94") and order.tax_total == Decimal("11.94")
    assert order.shipping[0].title == "Free Shipping"


def test_the_woocommerce_order_maps_lines_without_sku_by_product() -> None:
    order = woocommerce.map_order(_load("woocommerce_order.json"))
    assert [(x.line_item_id, x.key, x.quantity, x.unit_price) for x in order.lines] == [
        ("315", "product:93", Decimal(2), Decimal("3.0000")),
        ("316", "Bar3", Decimal(1), Decimal("12.0000")),
    ]
    assert order.payment == "paid"  # processing
    assert order.customer.platform_id is None  # customer_id 0: a guest
    assert order.shipping_total == Decimal("10.00")


@pytest.mark.parametrize(
    ("status", "payment", "cancelled"),
    [
        ("processing", "paid", False),
        ("completed", "paid", False),
        ("on-hold", "unpaid", False),
        ("pending", "unpaid", False),
        ("cancelled", "unpaid", True),
    ],
)
def test_woocommerce_statuses(status: str, payment: str, cancelled: bool) -> None:
    payload = _load("woocommerce_order.json")
    payload["status"] = status
    order = woocommerce.map_order(payload)
    assert (order.payment, order.cancelled) == (payment, cancelled)


def test_a_discount_lowers_the_charged_unit_price() -> None:
    assert charged_unit_price(Decimal("199.00"), Decimal(3), Decimal("10.00")) == Decimal(
        "195.6667"
    )
    payload = _load("shopify_orders_create.json")
    payload["line_items"][0]["discount_allocations"] = [{"amount": "9.00"}, {"amount": "1.00"}]
    line = shopify.map_order(payload).lines[0]
    assert (line.discount, line.unit_price) == (Decimal("10.00"), Decimal("189.0000"))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"currency": "US"}, "currency"),
        ({"id": None}, "id"),
        ({"line_items": [{"id": 1, "quantity": 0, "price": "1", "sku": "A"}]}, "quantity"),
        ({"line_items": [{"id": 1, "quantity": 1, "price": "x", "sku": "A"}]}, "price"),
        ({"line_items": [{"id": 1, "quantity": 1, "price": "1"}]}, "sku"),
        ({"shipping_address": {"city": "X"}}, "shipping_address"),
    ],
)
def test_unreadable_payloads_name_the_field(change: dict, field: str) -> None:
    payload = {**_load("shopify_orders_create.json"), **change}
    with pytest.raises(PayloadError) as caught:
        shopify.map_order(payload)
    assert field in caught.value.field


def test_signatures_are_base64_hmac_sha256_of_the_raw_body() -> None:
    # echo -n '{"id":1}' | openssl dgst -sha256 -hmac secret -binary | base64
    assert signatures.sign("secret", b'{"id":1}') == "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc="
    good = signatures.sign("secret", b"body")
    assert signatures.valid("secret", b"body", good)
    assert not signatures.valid("secret", b"body ", good)
    assert not signatures.valid("other", b"body", good)
    assert not signatures.valid("secret", b"body", None)
    assert not signatures.valid("", b"body", good)
