"""The stock report against figures worked out by hand, on both engines.

    RSW  P1  received 20 (purchase order, 4.50 each), 3 shipped             on hand 17
    RSW  P2  received 10 (purchase order, 12.00 each), 2 shipped, 1 reserved on hand 8
    RSV  P1  received 5 by hand (valued at P1's latest receipt, 4.50)       on hand 5
P1's reorder point is 25 (22 on hand, all available); the range is the 30 days to today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import update

from app.repositories.products import Product
from tests.factories import make_warehouse
from tests.integration.report_data import Flow, master_data, project
from tests.integration.test_purchasing import make_supplier
from tests.support import assert_problem

STOCK = "/api/v1/reports/stock"


async def _world(client, auth, sessionmaker, settings) -> dict[str, str]:
    await master_data(sessionmaker, "RS")
    await make_warehouse(sessionmaker, "RSV", priority=9)
    supplier = await make_supplier(sessionmaker, "RS-SUP")
    async with sessionmaker() as session:
        await session.execute(
            update(Product).where(Product.sku == "RS-P1").values(reorder_point=Decimal(25))
        )
        await session.commit()
    wh = await auth.as_role("warehouse")
    po = await client.post(
        "/api/v1/purchase-orders",
        headers=wh,
        json={
            "supplier": supplier.code,
            "warehouse": "RSW",
            "lines": [
                {"sku": "RS-P1", "quantity": "20", "unit_price": "4.50"},
                {"sku": "RS-P2", "quantity": "10", "unit_price": "12.00"},
            ],
        },
    )
    assert po.status_code == 201, po.text
    url = f"/api/v1/purchase-orders/{po.json()['id']}"
    assert (await client.post(f"{url}/send", headers=wh, json={})).status_code == 200
    got = await client.post(
        f"{url}/receive",
        headers=wh,
        json={"lines": [{"sku": "RS-P1", "quantity": "20"}, {"sku": "RS-P2", "quantity": "10"}]},
    )
    assert got.status_code == 200, got.text
    flow = Flow(client, auth, "RS")
    shipped = await flow.order("A", {"P1": "3", "P2": "2"})
    await flow.ship(shipped, {"P1": "3", "P2": "2"}, None)
    await flow.order("B", {"P2": "1"})
    moved = await client.post(
        "/api/v1/stock/movements",
        headers=wh,
        json={"warehouse": "RSV", "sku": "RS-P1", "kind": "receipt", "quantity": "5"},
    )
    assert moved.status_code == 201, moved.text
    await project(sessionmaker, settings)
    today = datetime.now(UTC).date()
    return {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}


def _rows(body: dict) -> list[tuple]:
    return [
        (x["warehouse"], x["sku"], x["on_hand"], x["reserved"], x["value"], x["issued"])
        for x in body["lines"]
    ]


async def test_stock_per_warehouse_and_product(client, auth, sessionmaker, settings) -> None:
    window = await _world(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    r = await client.get(STOCK, headers=viewer, params=window)
    assert r.status_code == 200, r.text
    body = r.json()
    assert _rows(body) == [
        ("RSW", "RS-P2", "8", "1", "96.00", "2"),
        ("RSW", "RS-P1", "17", "0", "76.50", "3"),
        ("RSV", "RS-P1", "5", "0", "22.50", "0"),
    ]
    p2, p1, other = body["lines"]
    assert (p1["days_of_cover"], p1["turnover"]) == ("170", "0.1765")  # 17 × 30 / 3; 3 / 17
    assert (p2["available"], p2["days_of_cover"], p2["turnover"]) == ("7", "105", "0.25")
    assert other["slow_mover"] and other["days_of_cover"] is None
    assert not p1["slow_mover"] and p1["below_reorder"] is None  # per product only
    assert sum(Decimal(i["issued"]) for i in body["issues"]) == 5

    r = await client.get(STOCK, headers=viewer, params={**window, "only": "slow_movers"})
    assert _rows(r.json()) == [("RSV", "RS-P1", "5", "0", "22.50", "0")]
    r = await client.get(STOCK, headers=viewer, params={**window, "metric": "issued", "top": 1})
    assert _rows(r.json()) == [("RSW", "RS-P1", "17", "0", "76.50", "3")]


async def test_stock_per_product_and_warehouse(client, auth, sessionmaker, settings) -> None:
    window = await _world(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    r = await client.get(STOCK, headers=viewer, params={**window, "dimension": "product"})
    assert _rows(r.json()) == [
        ("", "RS-P1", "22", "0", "99.00", "3"),
        ("", "RS-P2", "8", "1", "96.00", "2"),
    ]
    assert [x["below_reorder"] for x in r.json()["lines"]] == [True, False]
    r = await client.get(
        STOCK, headers=viewer, params={**window, "dimension": "product", "only": "below_reorder"}
    )
    assert [x["sku"] for x in r.json()["lines"]] == ["RS-P1"]
    r = await client.get(STOCK, headers=viewer, params={**window, "dimension": "warehouse"})
    assert _rows(r.json()) == [
        ("RSW", "", "25", "1", "172.50", "5"),
        ("RSV", "", "5", "0", "22.50", "0"),
    ]
    r = await client.get(
        STOCK,
        headers=await auth.as_role("viewer"),
        params={**window, "format": "csv"},
    )
    assert r.content.decode("utf-8-sig").splitlines()[0].startswith("warehouse,sku,currency")


async def test_stock_bad_input(client, auth) -> None:
    viewer = await auth.as_role("viewer")
    window = {"from": "2026-01-01", "to": "2026-01-31"}
    r = await client.get(STOCK, headers=viewer, params={**window, "only": "below_reorder"})
    assert_problem(r, 422, field="only")
    r = await client.get(STOCK, headers=viewer, params={**window, "only": "fast"})
    assert_problem(r, 422, field="only")
    r = await client.get(STOCK, headers=viewer, params={**window, "metric": "net"})
    assert_problem(r, 422, field="metric")
    r = await client.get(STOCK, headers=await auth.with_scopes("orders:read"), params=window)
    assert r.status_code == 403
