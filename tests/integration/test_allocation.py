"""Allocation and reservation through the HTTP API, on both engines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from tests.factories import make_customer, make_product, make_warehouse
from tests.support import assert_problem

SHANGHAI = {
    "country": "CN",
    "city": "上海市",
    "street": "张江路 88 号",
    "latitude": "31.2304",
    "longitude": "121.4737",
}


@pytest.fixture
async def data(sessionmaker):
    await make_product(
        sessionmaker, "W-1", list_price="10.00", floor_price=None, tax_rate="0", substitutes=["W-2"]
    )
    await make_product(
        sessionmaker, "W-2", name="Widget II", list_price="11.00", floor_price=None, tax_rate="0"
    )
    await make_warehouse(
        sessionmaker, "HZ", latitude=Decimal("30.2741"), longitude=Decimal("120.1551"), priority=2
    )
    await make_warehouse(
        sessionmaker, "BJ", latitude=Decimal("39.9042"), longitude=Decimal("116.4074"), priority=1
    )
    await make_customer(sessionmaker, "ACME", credit_limit="1000000")
    await make_customer(
        sessionmaker, "WHOLE", credit_limit="1000000", fulfillment_policy="ship_complete"
    )


async def receive(client, auth, warehouse: str, sku: str, quantity: str):
    response = await client.post(
        "/api/v1/stock/movements",
        headers=await auth.as_role("warehouse"),
        json={"warehouse": warehouse, "sku": sku, "kind": "receipt", "quantity": quantity},
    )
    assert response.status_code == 201, response.text


async def order(client, auth, quantity: str, customer: str = "ACME", sku: str = "W-1"):
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": customer},
            "ship_to": SHANGHAI,
            "lines": [{"sku": sku, "quantity": quantity}],
            "submit": True,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def allocations(client, auth, order_id: str):
    return (
        await client.get(
            f"/api/v1/orders/{order_id}/allocations", headers=await auth.as_role("viewer")
        )
    ).json()


async def levels(client, auth, sku: str):
    body = (
        await client.get(f"/api/v1/availability?sku={sku}", headers=await auth.as_role("viewer"))
    ).json()
    return {w["warehouse"]: (w["on_hand"], w["reserved"]) for w in body["warehouses"]}


async def test_approval_reserves_from_the_nearest_warehouse(
    client, auth, data, sessionmaker
) -> None:
    await receive(client, auth, "HZ", "W-1", "5")
    await receive(client, auth, "BJ", "W-1", "50")
    placed = await order(client, auth, "3")
    assert placed["status"] == "approved"
    assert placed["fulfillment_status"] == "reserved"
    assert placed["lines"][0]["reserved"] == "3"
    view = await allocations(client, auth, placed["id"])
    assert view["strategy"] == "nearest_single" and view["policy"] == "ship_partial"
    assert [r["quantity"] for r in view["reservations"]] == ["3"]
    assert "HZ fills the whole order" in view["explanation"]["reason"]
    assert {c["warehouse"] for c in view["explanation"]["considered"]} == {"HZ", "BJ"}
    assert await levels(client, auth, "W-1") == {"HZ": ("5", "3"), "BJ": ("50", "0")}
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_shortage_is_backordered_then_allocated_when_stock_arrives(
    client, auth, data, sessionmaker
) -> None:
    await receive(client, auth, "HZ", "W-1", "2")
    await receive(client, auth, "HZ", "W-2", "9")
    placed = await order(client, auth, "5")
    assert placed["fulfillment_status"] == "partially_reserved"
    view = await allocations(client, auth, placed["id"])
    assert view["lines"][0]["backordered"] == "3"
    assert view["explanation"]["substitutes"]["W-1"][0]["sku"] == "W-2"  # suggested only
    backorders = (
        await client.get("/api/v1/backorders?sku=W-1", headers=await auth.as_role("viewer"))
    ).json()
    assert [(b["order_number"], b["backordered"]) for b in backorders["items"]] == [
        (placed["number"], "3")
    ]
    await receive(client, auth, "BJ", "W-1", "10")  # arrival allocates the backorder
    view = await allocations(client, auth, placed["id"])
    assert view["lines"][0]["backordered"] == "0" and view["lines"][0]["reserved"] == "5"
    assert view["fulfillment_status"] == "reserved"
    assert (await client.get("/api/v1/backorders", headers=await auth.as_role("viewer"))).json()[
        "items"
    ] == []
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_backorders_are_served_by_priority(client, auth, data) -> None:
    low = await order(client, auth, "1")
    high = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "priority": 9,
            "lines": [{"sku": "W-1", "quantity": "1"}],
            "submit": True,
        },
    )
    await receive(client, auth, "HZ", "W-1", "1")
    assert (await allocations(client, auth, high.json()["id"]))["lines"][0]["reserved"] == "1"
    assert (await allocations(client, auth, low["id"]))["lines"][0]["reserved"] == "0"


async def test_cancel_releases_what_it_held(client, auth, data, sessionmaker) -> None:
    await receive(client, auth, "HZ", "W-1", "5")
    placed = await order(client, auth, "4")
    assert await levels(client, auth, "W-1") == {"HZ": ("5", "4"), "BJ": ("0", "0")}
    cancelled = await client.post(
        f"/api/v1/orders/{placed['id']}/cancel",
        json={"reason": "no longer needed"},
        headers=await auth.as_role("sales"),
    )
    assert cancelled.json()["status"] == "cancelled"
    assert await levels(client, auth, "W-1") == {"HZ": ("5", "0"), "BJ": ("0", "0")}
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_reducing_a_quantity_releases_the_difference(client, auth, data) -> None:
    await receive(client, auth, "HZ", "W-1", "5")
    placed = await order(client, auth, "4")
    edited = await client.patch(
        f"/api/v1/orders/{placed['id']}",
        json={"lines": [{"sku": "W-1", "quantity": "1"}]},
        headers={**await auth.as_role("sales"), "If-Match": f'"{placed["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["status"] == "approved"
    assert await levels(client, auth, "W-1") == {"HZ": ("5", "1"), "BJ": ("0", "0")}


async def test_deallocate_and_allocate_again(client, auth, data) -> None:
    await receive(client, auth, "HZ", "W-1", "5")
    placed = await order(client, auth, "2")
    warehouse = await auth.as_role("warehouse")
    freed = await client.post(f"/api/v1/orders/{placed['id']}/deallocate", headers=warehouse)
    assert freed.status_code == 200, freed.text
    assert freed.json()["lines"][0]["reserved"] == "0" and freed.json()["reservations"] == []
    again = await client.post(f"/api/v1/orders/{placed['id']}/allocate", headers=warehouse)
    assert again.json()["lines"][0]["reserved"] == "2"


async def test_allocating_an_order_that_is_not_approved_is_409(client, auth, data) -> None:
    draft = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": "W-1", "quantity": "1"}],
        },
    )
    response = await client.post(
        f"/api/v1/orders/{draft.json()['id']}/allocate", headers=await auth.as_role("warehouse")
    )
    assert_problem(response, 409, code="order_not_approved")
    assert_problem(
        await client.post(
            f"/api/v1/orders/{draft.json()['id']}/allocate", headers=await auth.as_role("sales")
        ),
        403,
    )


async def test_ship_complete_waits_and_proposes_a_consolidation_transfer(
    client, auth, data
) -> None:
    await receive(client, auth, "HZ", "W-1", "3")
    await receive(client, auth, "BJ", "W-1", "3")
    placed = await order(client, auth, "5", customer="WHOLE")
    view = await allocations(client, auth, placed["id"])
    assert view["reservations"] == [] and view["lines"][0]["backordered"] == "5"
    assert view["policy"] == "ship_complete"
    assert "consolidate into HZ" in view["explanation"]["reason"]
    (number,) = view["explanation"]["transfers"]
    transfers = (
        await client.get("/api/v1/transfers", headers=await auth.as_role("warehouse"))
    ).json()
    assert [t["number"] for t in transfers["items"]] == [number]


async def test_unpaid_prepaid_reservation_expires(client, auth, data, sessionmaker, app) -> None:
    from datetime import UTC, datetime, timedelta

    from app.services.allocation.commands import ExpireUnpaidReservations
    from app.worker.housekeeping import SYSTEM

    await receive(client, auth, "HZ", "W-1", "5")
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    placed = (
        await client.post(
            "/api/v1/orders",
            headers=key,
            json={
                "channel": "storefront",
                "external_ref": "S-EXP",
                "customer": {"code": "ACME"},
                "ship_to": SHANGHAI,
                "lines": [{"sku": "W-1", "quantity": "2"}],
                "submit": True,
                "payment": {"status": "authorized", "reference": "auth-1", "amount": "20"},
            },
        )
    ).json()
    assert placed["status"] == "approved"
    view = await allocations(client, auth, placed["id"])
    assert view["reservations"][0]["expires_at"] is not None
    uow = SqlAlchemyUnitOfWork(sessionmaker, app.state.bus)
    bus = app.state.bus
    now = datetime.now(UTC)
    assert await bus.handle(ExpireUnpaidReservations(principal=SYSTEM, now=now), uow) == 0
    later = datetime.now(UTC) + timedelta(hours=2)
    assert await bus.handle(ExpireUnpaidReservations(principal=SYSTEM, now=later), uow) == 1
    assert await levels(client, auth, "W-1") == {"HZ": ("5", "0"), "BJ": ("0", "0")}
    events = (
        await client.get(f"/api/v1/orders/{placed['id']}/events?limit=50", headers=key)
    ).json()
    assert "reservation_expired" in [e["action"] for e in events["items"]]
    assert await check_invariants(uow) == []


async def test_paid_orders_keep_their_reservation(client, auth, data, sessionmaker, app) -> None:
    from datetime import UTC, datetime, timedelta

    from app.services.allocation.commands import ExpireUnpaidReservations
    from app.worker.housekeeping import SYSTEM

    await receive(client, auth, "HZ", "W-1", "5")
    key = await auth.with_scopes(
        "orders:write", "orders:read", "orders:payment", channel="storefront"
    )
    placed = (
        await client.post(
            "/api/v1/orders",
            headers=key,
            json={
                "channel": "storefront",
                "external_ref": "S-PAID",
                "customer": {"code": "ACME"},
                "ship_to": SHANGHAI,
                "lines": [{"sku": "W-1", "quantity": "2"}],
                "submit": True,
                "payment": {"status": "authorized", "reference": "auth-2", "amount": "20"},
            },
        )
    ).json()
    paid = await client.post(
        f"/api/v1/orders/{placed['id']}/payment",
        headers=key,
        json={"status": "paid", "reference": "cap-2", "amount": "20"},
    )
    assert paid.status_code == 200
    later = datetime.now(UTC) + timedelta(hours=2)
    assert (
        await app.state.bus.handle(
            ExpireUnpaidReservations(principal=SYSTEM, now=later),
            SqlAlchemyUnitOfWork(sessionmaker, app.state.bus),
        )
        == 0
    )
    assert await levels(client, auth, "W-1") == {"HZ": ("5", "2"), "BJ": ("0", "0")}


async def test_reject_releases_what_the_order_held(client, auth, data) -> None:
    await receive(client, auth, "HZ", "W-1", "5")
    placed = await order(client, auth, "2")
    manager = await auth.as_role("sales_manager")
    held = await client.post(
        f"/api/v1/orders/{placed['id']}/hold", json={"reason": "check"}, headers=manager
    )
    assert held.json()["status"] == "on_hold"
    assert await levels(client, auth, "W-1") == {"HZ": ("5", "2"), "BJ": ("0", "0")}
    rejected = await client.post(
        f"/api/v1/orders/{placed['id']}/reject", json={"reason": "fraud"}, headers=manager
    )
    assert rejected.json()["status"] == "rejected"
    assert await levels(client, auth, "W-1") == {"HZ": ("5", "0"), "BJ": ("0", "0")}


async def test_backorders_show_when_stock_is_expected(client, auth, data, sessionmaker) -> None:
    from datetime import date, timedelta

    from app.repositories.customers import Supplier

    async with sessionmaker() as session:
        session.add(
            Supplier(code="SUP-1", name="永康工具厂", contacts=[], lead_time_days=7, version=1)
        )
        await session.commit()
    placed = await order(client, auth, "2")
    warehouse = await auth.as_role("warehouse")
    expected = (date.today() + timedelta(days=10)).isoformat()
    po = await client.post(
        "/api/v1/purchase-orders",
        headers=warehouse,
        json={
            "supplier": "SUP-1",
            "warehouse": "HZ",
            "expected_date": expected,
            "lines": [{"sku": "W-1", "quantity": "20"}],
        },
    )
    assert po.status_code == 201, po.text
    sent = await client.post(f"/api/v1/purchase-orders/{po.json()['id']}/send", headers=warehouse)
    assert sent.status_code == 200, sent.text
    listed = (await client.get("/api/v1/backorders", headers=warehouse)).json()
    (line,) = listed["items"]
    assert line["order_number"] == placed["number"] and line["expected_date"] == expected
    assert line["age_days"] == 0 and line["customer_code"] == "ACME"
    received = await client.post(
        f"/api/v1/purchase-orders/{po.json()['id']}/receive",
        headers=warehouse,
        json={"lines": [{"sku": "W-1", "quantity": "20"}]},
    )
    assert received.status_code == 200, received.text
    assert (await allocations(client, auth, placed["id"]))["lines"][0]["reserved"] == "2"
