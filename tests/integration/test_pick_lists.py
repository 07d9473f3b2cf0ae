"""Pick lists through the HTTP API, on both engines: waves and chosen orders, grouping by
product and bin along the serpentine path, confirming full and short picks (a short pick writes
the stock off and allocates the order again), and the rules around them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.stock import StockMovement
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from tests.factories import make_customer, make_product, make_warehouse
from tests.support import assert_problem

PICK_LISTS = "/api/v1/pick-lists"
SHANGHAI = {
    "country": "CN",
    "city": "上海市",
    "street": "张江路 88 号",
    "latitude": "31.2304",
    "longitude": "121.4737",
}
# Bins in HZ: the walk goes A-01 (up), A-02 (down), then zone B.
BINS = {"P-1": "A-01-1-1", "P-2": "A-02-3-1", "P-3": "A-02-1-4", "P-4": "B-01-1-1"}


@pytest.fixture
async def data(sessionmaker):
    for sku in ("P-1", "P-2", "P-3", "P-4", "P-5"):
        await make_product(sessionmaker, sku, list_price="10.00", floor_price=None, tax_rate="0")
    hz = await make_warehouse(
        sessionmaker, "HZ", latitude=Decimal("30.2741"), longitude=Decimal("120.1551"), priority=1
    )
    await make_warehouse(
        sessionmaker, "BJ", latitude=Decimal("39.9042"), longitude=Decimal("116.4074"), priority=2
    )
    await make_customer(sessionmaker, "ACME", credit_limit="1000000")
    return hz


async def receive(client, auth, warehouse: str, sku: str, quantity: str) -> None:
    response = await client.post(
        "/api/v1/stock/movements",
        headers=await auth.as_role("warehouse"),
        json={"warehouse": warehouse, "sku": sku, "kind": "receipt", "quantity": quantity},
    )
    assert response.status_code == 201, response.text


async def stocked(client, auth, hz) -> None:
    """Stock in HZ only (so orders reserve there) and bin locations for P-1…P-4."""
    headers = await auth.as_role("warehouse")
    for sku, location in BINS.items():
        response = await client.put(
            f"/api/v1/warehouses/{hz.id}/bins/{sku}", headers=headers, json={"location": location}
        )
        assert response.status_code == 200, response.text
    for sku in ("P-1", "P-2", "P-3", "P-4", "P-5"):
        await receive(client, auth, "HZ", sku, "20")


async def order(client, auth, lines: dict[str, str]) -> dict:
    response = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={
            "channel": "manual",
            "customer": {"code": "ACME"},
            "ship_to": SHANGHAI,
            "lines": [{"sku": sku, "quantity": q} for sku, q in lines.items()],
            "submit": True,
        },
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["status"] == "approved" and placed["fulfillment_status"] == "reserved"
    return placed


def wave(max_orders: int = 50) -> dict:
    cutoff = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    return {"cutoff": cutoff, "max_orders": max_orders}


async def create(client, auth, **body):
    return await client.post(
        PICK_LISTS, headers=await auth.as_role("warehouse"), json={"warehouse": "HZ", **body}
    )


async def created(client, auth, **body) -> dict:
    response = await create(client, auth, **body)
    assert response.status_code == 201, response.text
    return response.json()


async def confirm(client, auth, pick_list_id: str, picked: dict[str, str]):
    return await client.post(
        f"{PICK_LISTS}/{pick_list_id}/confirm",
        headers=await auth.as_role("warehouse"),
        json={"lines": [{"sku": sku, "picked": q} for sku, q in picked.items()]},
    )


async def allocations(client, auth, order_id: str) -> dict:
    response = await client.get(
        f"/api/v1/orders/{order_id}/allocations", headers=await auth.as_role("viewer")
    )
    assert response.status_code == 200, response.text
    return response.json()


async def short_pick_movements(sessionmaker) -> list[tuple[str, Decimal, str | None]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(StockMovement.kind, StockMovement.quantity, StockMovement.reference).where(
                StockMovement.reason == "short_pick"
            )
        )
        return [(k, Decimal(q), r) for k, q, r in rows.tuples()]


async def levels(client, auth, sku: str) -> dict[str, tuple[str, str]]:
    body = (
        await client.get(f"/api/v1/availability?sku={sku}", headers=await auth.as_role("viewer"))
    ).json()
    return {w["warehouse"]: (w["on_hand"], w["reserved"]) for w in body["warehouses"]}


async def test_wave_groups_by_product_and_bin_along_the_serpentine_path(
    client, auth, data, sessionmaker
) -> None:
    await stocked(client, auth, data)
    first = await order(client, auth, {"P-4": "1", "P-2": "2", "P-1": "1"})
    second = await order(client, auth, {"P-2": "3", "P-3": "1", "P-5": "2"})
    body = await created(client, auth, wave=wave())
    assert body["number"].startswith(f"PL-{datetime.now(UTC).year}-")
    assert body["status"] == "open" and body["warehouse"] == "HZ" and body["picker"] is None
    # A-01 ascends, A-02 descends (shelf 3 before shelf 1), then zone B, then no bin.
    assert [(x["line_no"], x["sku"], x["location"], x["quantity"]) for x in body["lines"]] == [
        (1, "P-1", "A-01-1-1", "1"),
        (2, "P-2", "A-02-3-1", "5"),
        (3, "P-3", "A-02-1-4", "1"),
        (4, "P-4", "B-01-1-1", "1"),
        (5, "P-5", None, "2"),
    ]
    p2 = body["lines"][1]["orders"]
    assert [(o["order_number"], o["quantity"], o["picked"]) for o in p2] == [
        (first["number"], "2", None),
        (second["number"], "3", None),
    ]
    first_p2 = next(x for x in first["lines"] if x["sku"] == "P-2")
    assert p2[0]["order_id"] == first["id"] and p2[0]["order_line_id"] == first_p2["id"]
    fetched = await client.get(f"{PICK_LISTS}/{body['id']}", headers=await auth.as_role("viewer"))
    assert fetched.status_code == 200 and fetched.json() == body
    async with sessionmaker() as session:
        outbox = await session.scalars(
            select(OutboxEvent.event_type).where(OutboxEvent.event_type.like("pick_list.%"))
        )
        assert list(outbox) == ["pick_list.created"]


async def test_wave_takes_the_oldest_orders_up_to_max(client, auth, data) -> None:
    await stocked(client, auth, data)
    oldest = await order(client, auth, {"P-1": "1"})
    newer = await order(client, auth, {"P-1": "2"})
    body = await created(client, auth, wave=wave(max_orders=1))
    assert [o["order_id"] for o in body["lines"][0]["orders"]] == [oldest["id"]]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert_problem(
        await create(client, auth, wave={"cutoff": past, "max_orders": 5}),
        422,
        field="wave",
    )
    second = await created(client, auth, wave=wave())
    assert [o["order_id"] for o in second["lines"][0]["orders"]] == [newer["id"]]


async def test_chosen_orders_and_no_order_is_picked_twice(client, auth, data) -> None:
    await stocked(client, auth, data)
    one = await order(client, auth, {"P-1": "1"})
    two = await order(client, auth, {"P-1": "2", "P-3": "1"})
    body = await created(client, auth, order_ids=[two["id"]], picker="li.wei")
    assert body["status"] == "assigned" and body["picker"] == "li.wei"
    assert {o["order_id"] for x in body["lines"] for o in x["orders"]} == {two["id"]}
    assert_problem(
        await create(client, auth, order_ids=[two["id"]]),
        422,
        field="order_ids.0",
    )
    # The wave skips the order already on an open list.
    rest = await created(client, auth, wave=wave())
    assert {o["order_id"] for x in rest["lines"] for o in x["orders"]} == {one["id"]}
    assert_problem(await create(client, auth, wave=wave()), 422, field="wave")


async def test_full_confirm_records_picked_per_order_line(client, auth, data, sessionmaker) -> None:
    await stocked(client, auth, data)
    first = await order(client, auth, {"P-1": "2"})
    second = await order(client, auth, {"P-1": "3"})
    body = await created(client, auth, wave=wave())
    assigned = await client.post(
        f"{PICK_LISTS}/{body['id']}/assign",
        headers=await auth.as_role("warehouse"),
        json={"picker": "zhang.san"},
    )
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["status"] == "assigned" and assigned.json()["picker"] == "zhang.san"
    response = await confirm(client, auth, body["id"], {"P-1": "5"})
    assert response.status_code == 200, response.text
    done = response.json()
    assert done["status"] == "picked" and done["picked_at"] is not None
    assert done["lines"][0]["picked"] == "5"
    assert [o["picked"] for o in done["lines"][0]["orders"]] == ["2", "3"]
    assert await short_pick_movements(sessionmaker) == []
    assert await levels(client, auth, "P-1") == {"HZ": ("20", "5"), "BJ": ("0", "0")}
    for placed in (first, second):
        assert (await allocations(client, auth, placed["id"]))["fulfillment_status"] == "reserved"
    assert_problem(await confirm(client, auth, body["id"], {"P-1": "5"}), 409)
    assert_problem(
        await client.post(
            f"{PICK_LISTS}/{body['id']}/assign",
            headers=await auth.as_role("warehouse"),
            json={"picker": "x"},
        ),
        409,
    )
    async with sessionmaker() as session:
        actions = await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "pick_list", AuditEvent.entity_id == body["id"])
            .order_by(AuditEvent.at)
        )
        assert list(actions) == ["created", "assigned", "picked"]
        outbox = await session.scalars(
            select(OutboxEvent.event_type).where(OutboxEvent.event_type.like("pick_list.%"))
        )
        assert sorted(outbox) == ["pick_list.assigned", "pick_list.created", "pick_list.picked"]
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_short_pick_writes_off_and_reallocates_from_another_warehouse(
    client, auth, data, sessionmaker
) -> None:
    await stocked(client, auth, data)
    first = await order(client, auth, {"P-1": "2"})
    latest = await order(client, auth, {"P-1": "3"})
    await receive(client, auth, "BJ", "P-1", "10")  # stock elsewhere, after the orders
    body = await created(client, auth, wave=wave())
    # Only 4 of 5: HZ has 15 more on hand, so use it up first to leave nothing to re-reserve.
    response = await client.post(
        "/api/v1/stock/movements",
        headers=await auth.as_role("warehouse"),
        json={
            "warehouse": "HZ",
            "sku": "P-1",
            "kind": "adjustment",
            "quantity": "-15",
            "reason": "damaged",
        },
    )
    assert response.status_code == 201, response.text
    response = await confirm(client, auth, body["id"], {"P-1": "4"})
    assert response.status_code == 200, response.text
    done = response.json()
    assert [o["picked"] for o in done["lines"][0]["orders"]] == ["2", "2"]  # latest order short
    assert await short_pick_movements(sessionmaker) == [("adjustment", Decimal(-1), body["number"])]
    assert await levels(client, auth, "P-1") == {"HZ": ("4", "4"), "BJ": ("10", "1")}
    view = await allocations(client, auth, latest["id"])
    assert view["fulfillment_status"] == "reserved"
    codes = {str(data.id): "HZ"}
    assert sorted(
        (codes.get(r["warehouse_id"], "BJ"), r["quantity"]) for r in view["reservations"]
    ) == [("BJ", "1"), ("HZ", "2")]
    assert (await allocations(client, auth, first["id"]))["fulfillment_status"] == "reserved"
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_short_pick_backorders_when_no_stock_is_left(
    client, auth, data, sessionmaker
) -> None:
    await stocked(client, auth, data)
    placed = await order(client, auth, {"P-1": "20", "P-2": "1"})
    body = await created(client, auth, order_ids=[placed["id"]])
    response = await confirm(client, auth, body["id"], {"P-1": "17", "P-2": "1"})
    assert response.status_code == 200, response.text
    assert await short_pick_movements(sessionmaker) == [("adjustment", Decimal(-3), body["number"])]
    assert await levels(client, auth, "P-1") == {"HZ": ("17", "17"), "BJ": ("0", "0")}
    view = await allocations(client, auth, placed["id"])
    line = next(x for x in view["lines"] if x["sku"] == "P-1")
    assert line["reserved"] == "17" and line["backordered"] == "3"
    assert view["fulfillment_status"] == "partially_reserved"
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_picking_more_than_to_pick_is_refused_and_writes_nothing(
    client, auth, data, sessionmaker
) -> None:
    await stocked(client, auth, data)
    await order(client, auth, {"P-1": "2", "P-2": "1"})
    body = await created(client, auth, wave=wave())
    response = await confirm(client, auth, body["id"], {"P-1": "2", "P-2": "2"})
    assert_problem(response, 422, field="lines.1.picked")
    again = (
        await client.get(f"{PICK_LISTS}/{body['id']}", headers=await auth.as_role("viewer"))
    ).json()
    assert again == body
    assert await levels(client, auth, "P-2") == {"HZ": ("20", "1"), "BJ": ("0", "0")}
    async with sessionmaker() as session:
        outbox = await session.scalars(
            select(OutboxEvent.event_type).where(OutboxEvent.event_type == "pick_list.picked")
        )
        assert list(outbox) == []


async def test_permissions(client, auth, data) -> None:
    await stocked(client, auth, data)
    await order(client, auth, {"P-1": "1"})
    body = {"warehouse": "HZ", "wave": wave()}
    assert_problem(await client.post(PICK_LISTS, json=body), 401)
    assert_problem(await client.get(PICK_LISTS), 401)
    assert_problem(
        await client.post(PICK_LISTS, json=body, headers=await auth.as_role("sales")), 403
    )
    created_list = await created(client, auth, wave=wave())
    assert_problem(
        await client.post(
            f"{PICK_LISTS}/{created_list['id']}/confirm",
            json={"lines": [{"sku": "P-1", "picked": "1"}]},
            headers=await auth.as_role("sales"),
        ),
        403,
    )
    readable = await client.get(PICK_LISTS, headers=await auth.with_scopes("stock:read"))
    assert readable.status_code == 200


async def test_list_filters_and_pages_newest_first(client, auth, data) -> None:
    await stocked(client, auth, data)
    one = await order(client, auth, {"P-1": "1"})
    two = await order(client, auth, {"P-2": "1"})
    three = await order(client, auth, {"P-3": "1"})
    a = await created(client, auth, order_ids=[one["id"]], picker="li.wei")
    b = await created(client, auth, order_ids=[two["id"]])
    c = await created(client, auth, order_ids=[three["id"]], picker="li.wei")
    assert (await confirm(client, auth, c["id"], {"P-3": "1"})).status_code == 200
    headers = await auth.as_role("viewer")

    async def numbers(query: str) -> list[str]:
        response = await client.get(f"{PICK_LISTS}?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [x["number"] for x in response.json()["items"]]

    assert await numbers("warehouse=HZ") == [c["number"], b["number"], a["number"]]
    assert await numbers("warehouse=BJ") == []
    assert await numbers("status=picked") == [c["number"]]
    assert await numbers("status=open") == [b["number"]]
    assert await numbers("picker=li.wei") == [c["number"], a["number"]]
    assert await numbers("picker=li.wei&status=assigned") == [a["number"]]
    page = (await client.get(f"{PICK_LISTS}?limit=2", headers=headers)).json()
    assert [x["number"] for x in page["items"]] == [c["number"], b["number"]]
    rest = (
        await client.get(f"{PICK_LISTS}?limit=2&cursor={page['next_cursor']}", headers=headers)
    ).json()
    assert [x["number"] for x in rest["items"]] == [a["number"]] and rest["next_cursor"] is None
    assert_problem(await client.get(f"{PICK_LISTS}?warehouse=NOPE", headers=headers), 422)
    assert_problem(await client.get(f"{PICK_LISTS}/{one['id']}", headers=headers), 404)
