"""Delivery windows of ship-to addresses: given on a customer's ship-to or on an order's own
address, validated field by field, copied from the customer into the order and from the order
into its shipment, and shown by every read — on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import make_product, make_warehouse
from tests.support import assert_problem

CUSTOMERS = "/api/v1/customers"
ORDERS = "/api/v1/orders"
MORNING = {"weekdays": [1, 2, 3, 4, 5], "start": "09:00", "end": "11:30"}
SATURDAY = {"weekdays": [6], "start": "10:00", "end": "12:00"}
DOCK_ID = "4c1f6f0e-2b7a-4d0e-9a51-1f3b8f0c9d21"
ANY_ID = "7d2e8a41-5c3b-4f6a-8e72-2a4c9e1d0b32"
DAILY_ID = "9e3f9b52-6d4c-4a7b-9f83-3b5d0f2e1c43"
DOCK = {
    "country": "CN",
    "region": "上海市",
    "city": "上海市",
    "district": "浦东新区",
    "street": "张江路 88 号",
    "latitude": "31.2036",
    "longitude": "121.5905",
}


def customer_body(code: str, ship_to: list[dict]) -> dict:
    return {
        "code": code,
        "name": "上海华东五金贸易有限公司",
        "currency": "CNY",
        "credit_limit": "1000000",
        "contacts": [{"name": "王芳", "phone": "+86 21 5080 1234"}],
        "ship_to": ship_to,
    }


async def create_customer(client, auth, code: str, ship_to: list[dict]) -> dict:
    response = await client.post(
        CUSTOMERS, json=customer_body(code, ship_to), headers=await auth.as_role("admin")
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_customer_ship_to_keeps_its_windows(client, auth) -> None:
    customer = await create_customer(
        client,
        auth,
        "WIN",
        [
            {**DOCK, "id": DOCK_ID, "delivery_windows": [MORNING, SATURDAY]},
            {**DOCK, "id": ANY_ID, "street": "世纪大道 1 号", "is_default": True},
            {**DOCK, "id": DAILY_ID, "delivery_windows": [{"start": "14:00", "end": "17:00"}]},
        ],
    )
    windows = {s["id"]: s["delivery_windows"] for s in customer["ship_to"]}
    assert windows[DOCK_ID] == [MORNING, SATURDAY]
    assert windows[ANY_ID] == []
    assert windows[DAILY_ID] == [
        {"weekdays": [1, 2, 3, 4, 5, 6, 7], "start": "14:00", "end": "17:00"}
    ]
    fetched = await client.get(
        f"{CUSTOMERS}/{customer['id']}", headers=await auth.as_role("viewer")
    )
    assert fetched.json()["ship_to"] == customer["ship_to"]


@pytest.mark.parametrize(
    ("window", "field", "rule"),
    [
        ({"start": "11:00", "end": "09:00"}, "delivery_windows.0.end", "after_start"),
        ({"start": "09:00", "end": "09:00"}, "delivery_windows.0.end", "after_start"),
        ({"start": "9:00", "end": "11:00"}, "delivery_windows.0.start", "string_pattern_mismatch"),
        (
            {"weekdays": [1, 1], "start": "09:00", "end": "11:00"},
            "delivery_windows.0.weekdays",
            "unique",
        ),
        (
            {"weekdays": [8], "start": "09:00", "end": "11:00"},
            "delivery_windows.0.weekdays.0",
            "less_than_equal",
        ),
        (
            {"weekdays": [], "start": "09:00", "end": "11:00"},
            "delivery_windows.0.weekdays",
            "too_short",
        ),
    ],
)
async def test_bad_customer_window_names_the_field_and_rule(
    client, auth, window, field, rule
) -> None:
    response = await client.post(
        CUSTOMERS,
        json=customer_body("BADW", [DOCK, {**DOCK, "delivery_windows": [window]}]),
        headers=await auth.as_role("admin"),
    )
    problem = assert_problem(response, 422, code="validation_error")
    assert (f"body.ship_to.1.{field}", rule) in {
        (e["field"], e["rule"]) for e in problem["errors"]
    }, problem
    listed = await client.get(f"{CUSTOMERS}?q=BADW", headers=await auth.as_role("viewer"))
    assert listed.json()["items"] == []


async def test_at_most_fourteen_windows(client, auth) -> None:
    windows = [{"weekdays": [1 + i % 7], "start": "09:00", "end": "10:00"} for i in range(15)]
    response = await client.post(
        CUSTOMERS,
        json=customer_body("MANY", [{**DOCK, "delivery_windows": windows}]),
        headers=await auth.as_role("admin"),
    )
    assert_problem(response, 422, field="body.ship_to.0.delivery_windows")


async def test_warehouse_and_bill_to_addresses_take_no_windows(client, auth) -> None:
    address = {**DOCK, "delivery_windows": [MORNING]}
    warehouse = await client.post(
        "/api/v1/warehouses",
        json={"code": "NOWIN", "name": "x", "address": address},
        headers=await auth.as_role("admin"),
    )
    assert_problem(warehouse, 422, field="body.address.delivery_windows")
    bill_to = await client.post(
        CUSTOMERS,
        json={**customer_body("BILL", [DOCK]), "bill_to": address},
        headers=await auth.as_role("admin"),
    )
    assert_problem(bill_to, 422, field="body.bill_to.delivery_windows")


@pytest.fixture
async def stocked(sessionmaker) -> None:
    await make_product(sessionmaker, "W-1", list_price="10.00", floor_price=None, tax_rate="0")
    await make_warehouse(
        sessionmaker,
        "HZ",
        name="杭州仓",
        address={"country": "CN", "city": "杭州市", "street": "文一西路 969 号"},
        latitude=Decimal("30.2741"),
        longitude=Decimal("120.1551"),
        priority=1,
    )


async def test_windows_are_copied_into_the_order_and_its_shipment(client, auth, stocked) -> None:
    await create_customer(
        client,
        auth,
        "FLOW",
        [DOCK, {**DOCK, "id": DOCK_ID, "label": "收货口", "delivery_windows": [MORNING, SATURDAY]}],
    )
    warehouse = await auth.as_role("warehouse")
    receipt = await client.post(
        "/api/v1/stock/movements",
        headers=warehouse,
        json={"warehouse": "HZ", "sku": "W-1", "kind": "receipt", "quantity": "5"},
    )
    assert receipt.status_code == 201, receipt.text
    placed = await client.post(
        ORDERS,
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "FLOW"},
            "ship_to_id": DOCK_ID,
            "lines": [{"sku": "W-1", "quantity": "2"}],
            "submit": True,
        },
    )
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["ship_to"]["id"] == DOCK_ID
    assert order["ship_to"]["delivery_windows"] == [MORNING, SATURDAY]
    read = await client.get(f"{ORDERS}/{order['id']}", headers=await auth.as_role("viewer"))
    assert read.json()["ship_to"]["delivery_windows"] == [MORNING, SATURDAY]
    assert order["fulfillment_status"] == "reserved", order

    pick_list = await client.post(
        "/api/v1/pick-lists",
        headers=warehouse,
        json={"warehouse": "HZ", "order_ids": [order["id"]]},
    )
    assert pick_list.status_code == 201, pick_list.text
    picked = await client.post(
        f"/api/v1/pick-lists/{pick_list.json()['id']}/confirm",
        headers=warehouse,
        json={"lines": [{"sku": "W-1", "picked": "2"}]},
    )
    assert picked.status_code == 200, picked.text
    shipment = await client.post(
        "/api/v1/shipments",
        headers=warehouse,
        json={
            "order_id": order["id"],
            "warehouse": "HZ",
            "packages": [
                {
                    "weight_kg": "2",
                    "length_cm": "30",
                    "width_cm": "20",
                    "height_cm": "10",
                    "contents": [{"sku": "W-1", "quantity": "2"}],
                }
            ],
        },
    )
    assert shipment.status_code == 201, shipment.text
    assert shipment.json()["ship_to"]["delivery_windows"] == [MORNING, SATURDAY]
    read = await client.get(
        f"/api/v1/shipments/{shipment.json()['id']}", headers=await auth.as_role("viewer")
    )
    assert read.json()["ship_to"]["delivery_windows"] == [MORNING, SATURDAY]
    assert read.json()["ship_to"]["label"] == "收货口"


async def test_an_orders_own_address_takes_windows(client, auth, stocked) -> None:
    await create_customer(client, auth, "ADHOC", [DOCK])
    sales = await auth.as_role("sales")
    order = {
        "channel": "manual",
        "customer": {"code": "ADHOC"},
        "ship_to": {
            **DOCK,
            "delivery_windows": [{"weekdays": [3, 1], "start": "13:00", "end": "15:00"}],
        },
        "lines": [{"sku": "W-1", "quantity": "1"}],
    }
    placed = await client.post(ORDERS, headers=sales, json=order)
    assert placed.status_code == 201, placed.text
    assert placed.json()["ship_to"]["delivery_windows"] == [
        {"weekdays": [1, 3], "start": "13:00", "end": "15:00"}
    ]
    # a draft's address is replaced by an edit, windows and all
    edited = await client.patch(
        f"{ORDERS}/{placed.json()['id']}",
        headers={**sales, "If-Match": placed.headers["etag"]},
        json={"ship_to": {**DOCK, "delivery_windows": [SATURDAY]}},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["ship_to"]["delivery_windows"] == [SATURDAY]
    # the customer's own ship-to without windows: any time
    plain = await client.post(ORDERS, headers=sales, json={**order, "ship_to": DOCK})
    assert plain.json()["ship_to"]["delivery_windows"] == []


async def test_a_bad_window_on_an_order_is_422_and_places_nothing(client, auth, stocked) -> None:
    await create_customer(client, auth, "BADO", [DOCK])
    sales = await auth.as_role("sales")
    response = await client.post(
        ORDERS,
        headers=sales,
        json={
            "channel": "manual",
            "customer": {"code": "BADO"},
            "ship_to": {**DOCK, "delivery_windows": [{"start": "18:00", "end": "08:00"}]},
            "lines": [{"sku": "W-1", "quantity": "1"}],
        },
    )
    problem = assert_problem(response, 422, code="validation_error")
    assert ("body.ship_to.delivery_windows.0.end", "after_start") in {
        (e["field"], e["rule"]) for e in problem["errors"]
    }
    listed = await client.get(ORDERS, headers=await auth.as_role("viewer"))
    assert listed.json()["items"] == []
