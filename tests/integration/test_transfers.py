"""Transfers between warehouses: shipping issues stock from the source (all lines or none),
receiving puts it on hand at the destination in parts, a final short receipt records a
discrepancy; every step keeps on_hand equal to the ledger and writes audit and outbox events."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.stock import StockMovement
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from tests.factories import make_customer, make_product, make_warehouse
from tests.integration.stock_data import force_level, level_and_ledger
from tests.support import assert_problem

TRANSFERS = "/api/v1/transfers"
MOVEMENTS = "/api/v1/stock/movements"
D = Decimal


async def put_stock(client: httpx.AsyncClient, headers, warehouse: str, sku: str, qty: str) -> None:
    response = await client.post(
        MOVEMENTS,
        json={"warehouse": warehouse, "sku": sku, "kind": "receipt", "quantity": qty},
        headers=headers,
    )
    assert response.status_code == 201, response.text


async def create(client, headers, source, destination, lines, **extra) -> httpx.Response:
    body = {
        "from_warehouse": source,
        "to_warehouse": destination,
        "reason": "replenishment",
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines],
        **extra,
    }
    return await client.post(TRANSFERS, json=body, headers=headers)


async def created(client, headers, source, destination, lines, **extra) -> dict:
    response = await create(client, headers, source, destination, lines, **extra)
    assert response.status_code == 201, response.text
    return response.json()


async def events_of(sessionmaker, transfer_id: str) -> tuple[list[str], list[str]]:
    """(audit actions, outbox event types) of one transfer, oldest first."""
    async with sessionmaker() as session:
        audit = await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "transfer", AuditEvent.entity_id == transfer_id)
            .order_by(AuditEvent.at)
        )
        outbox = await session.scalars(
            select(OutboxEvent.event_type).where(OutboxEvent.aggregate_id == transfer_id)
        )
        return list(audit), sorted(outbox)


async def movements_with_reference(sessionmaker, reference: str) -> list[StockMovement]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(StockMovement).where(StockMovement.reference == reference)
        )
        return list(rows)


@pytest.fixture
async def two_warehouses(sessionmaker):
    source = await make_warehouse(sessionmaker, name="Shanghai DC")
    destination = await make_warehouse(sessionmaker, name="Beijing DC")
    return source, destination


async def test_create_ship_receive_in_parts_keeps_both_ledgers(
    client: httpx.AsyncClient, auth, sessionmaker, two_warehouses
) -> None:
    source, destination = two_warehouses
    bolts = await make_product(sessionmaker)
    cable = await make_product(sessionmaker, uom="m", uom_precision=2)
    headers = await auth.as_role("warehouse")
    await put_stock(client, headers, source.code, bolts.sku, "20")
    await put_stock(client, headers, source.code, cable.sku, "50")

    transfer = await created(
        client,
        headers,
        source.code,
        destination.code,
        [(bolts.sku, "6"), (cable.sku, "12.5"), (bolts.sku, "4")],
        notes="refill Beijing",
    )
    assert transfer["status"] == "draft" and transfer["reason"] == "replenishment"
    assert transfer["number"].startswith("TR-") and len(transfer["number"]) == 14
    assert transfer["from_warehouse"] == source.code
    assert transfer["to_warehouse"] == destination.code
    assert [(x["sku"], x["quantity"], x["line_no"]) for x in transfer["lines"]] == [
        (bolts.sku, "10", 1),
        (cable.sku, "12.5", 2),
    ]
    assert transfer["created_by"].startswith("user:warehouse")
    # A draft moves nothing.
    assert await level_and_ledger(sessionmaker, source.id, bolts.id) == (D(20), D(0), D(20), 1)

    shipped = await client.post(f"{TRANSFERS}/{transfer['id']}/ship", headers=headers)
    assert shipped.status_code == 200, shipped.text
    body = shipped.json()
    assert body["status"] == "shipped" and body["shipped_at"]
    assert [x["shipped_quantity"] for x in body["lines"]] == ["10", "12.5"]
    assert [x["in_transit"] for x in body["lines"]] == ["10", "12.5"]
    assert await level_and_ledger(sessionmaker, source.id, bolts.id) == (D(10), D(0), D(10), 2)
    assert await level_and_ledger(sessionmaker, source.id, cable.id) == (
        D("37.5"),
        D(0),
        D("37.5"),
        2,
    )
    assert await level_and_ledger(sessionmaker, destination.id, bolts.id) == (None, None, D(0), 0)
    out = await movements_with_reference(sessionmaker, transfer["number"])
    assert sorted((m.kind, m.quantity) for m in out) == [
        ("transfer_out", D("-12.5")),
        ("transfer_out", D("-10")),
    ]
    assert {m.warehouse_id for m in out} == {source.id}

    partial = await client.post(
        f"{TRANSFERS}/{transfer['id']}/receive",
        json={
            "lines": [{"sku": bolts.sku, "quantity": "4"}, {"sku": cable.sku, "quantity": "12.5"}]
        },
        headers=headers,
    )
    assert partial.status_code == 200, partial.text
    body = partial.json()
    assert body["status"] == "partially_received" and body["received_at"] is None
    assert [(x["received_quantity"], x["in_transit"]) for x in body["lines"]] == [
        ("4", "6"),
        ("12.5", "0"),
    ]
    assert await level_and_ledger(sessionmaker, destination.id, bolts.id) == (D(4), D(0), D(4), 1)
    assert await level_and_ledger(sessionmaker, destination.id, cable.id) == (
        D("12.5"),
        D(0),
        D("12.5"),
        1,
    )

    rest = await client.post(
        f"{TRANSFERS}/{transfer['id']}/receive",
        json={"lines": [{"sku": bolts.sku, "quantity": "6"}]},
        headers=headers,
    )
    assert rest.status_code == 200, rest.text
    body = rest.json()
    assert body["status"] == "received" and body["received_at"]
    assert [x["received_quantity"] for x in body["lines"]] == ["10", "12.5"]
    assert [x["discrepancy_quantity"] for x in body["lines"]] == ["0", "0"]
    assert await level_and_ledger(sessionmaker, destination.id, bolts.id) == (
        D(10),
        D(0),
        D(10),
        2,
    )
    assert await level_and_ledger(sessionmaker, source.id, bolts.id) == (D(10), D(0), D(10), 2)
    moved = await movements_with_reference(sessionmaker, transfer["number"])
    assert sum(m.quantity for m in moved) == 0  # what left one warehouse arrived at the other
    assert sorted(m.kind for m in moved).count("transfer_in") == 3

    audit, outbox = await events_of(sessionmaker, transfer["id"])
    assert sorted(audit) == sorted(["created", "shipped", "partially_received", "received"])
    assert outbox == [
        "transfer.created",
        "transfer.received",
        "transfer.received",
        "transfer.shipped",
    ]
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []

    fetched = await client.get(f"{TRANSFERS}/{transfer['id']}", headers=headers)
    assert fetched.status_code == 200
    assert fetched.json() == body
    assert fetched.headers["ETag"] == f'"{body["version"]}"'


async def test_final_short_receipt_records_the_discrepancy(
    client, auth, sessionmaker, two_warehouses
) -> None:
    source, destination = two_warehouses
    product = await make_product(sessionmaker)
    headers = await auth.as_role("warehouse")
    await put_stock(client, headers, source.code, product.sku, "8")
    transfer = await created(client, headers, source.code, destination.code, [(product.sku, "8")])
    assert (await client.post(f"{TRANSFERS}/{transfer['id']}/ship", headers=headers)).is_success

    response = await client.post(
        f"{TRANSFERS}/{transfer['id']}/receive",
        json={
            "lines": [{"sku": product.sku, "quantity": "7", "note": "one box crushed"}],
            "final": True,
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "received"
    line = body["lines"][0]
    assert (line["received_quantity"], line["discrepancy_quantity"], line["in_transit"]) == (
        "7",
        "1",
        "0",
    )
    assert line["discrepancy_note"] == "one box crushed"
    assert await level_and_ledger(sessionmaker, destination.id, product.id) == (
        D(7),
        D(0),
        D(7),
        1,
    )
    assert await level_and_ledger(sessionmaker, source.id, product.id) == (D(0), D(0), D(0), 2)
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []

    again = await client.post(
        f"{TRANSFERS}/{transfer['id']}/receive",
        json={"lines": [{"sku": product.sku, "quantity": "1"}]},
        headers=headers,
    )
    assert_problem(again, 409, code="invalid_state")


async def test_shipping_without_enough_available_stock_writes_nothing(
    client, auth, sessionmaker, two_warehouses
) -> None:
    source, destination = two_warehouses
    plenty = await make_product(sessionmaker)
    short = await make_product(sessionmaker)
    headers = await auth.as_role("admin")
    await put_stock(client, headers, source.code, plenty.sku, "10")
    await put_stock(client, headers, source.code, short.sku, "5")
    # 5 on hand but 3 promised to orders: only 2 may leave.
    await force_level(sessionmaker, source.id, short.id, reserved=D(3))
    transfer = await created(
        client, headers, source.code, destination.code, [(plenty.sku, "4"), (short.sku, "3")]
    )
    async with sessionmaker() as session:
        movements_before = await session.scalar(select(func.count()).select_from(StockMovement))

    response = await client.post(f"{TRANSFERS}/{transfer['id']}/ship", headers=headers)
    body = assert_problem(response, 409, code="insufficient_stock", field="lines.1.quantity")
    assert short.sku in body["detail"]

    assert await level_and_ledger(sessionmaker, source.id, plenty.id) == (D(10), D(0), D(10), 1)
    assert await level_and_ledger(sessionmaker, source.id, short.id) == (D(5), D(3), D(5), 1)
    async with sessionmaker() as session:
        assert (
            await session.scalar(select(func.count()).select_from(StockMovement))
            == movements_before
        )
    assert await movements_with_reference(sessionmaker, transfer["number"]) == []
    current = (await client.get(f"{TRANSFERS}/{transfer['id']}", headers=headers)).json()
    assert current["status"] == "draft"
    assert [x["shipped_quantity"] for x in current["lines"]] == ["0", "0"]
    assert (await events_of(sessionmaker, transfer["id"]))[0] == ["created"]


async def test_shipping_twice_and_cancelling_after_shipping_are_conflicts(
    client, auth, sessionmaker, two_warehouses
) -> None:
    source, destination = two_warehouses
    product = await make_product(sessionmaker)
    headers = await auth.as_role("warehouse")
    await put_stock(client, headers, source.code, product.sku, "10")
    transfer = await created(client, headers, source.code, destination.code, [(product.sku, "3")])
    url = f"{TRANSFERS}/{transfer['id']}"
    assert (await client.post(f"{url}/ship", headers=headers)).status_code == 200

    assert_problem(await client.post(f"{url}/ship", headers=headers), 409, code="invalid_state")
    cancel = await client.post(f"{url}/cancel", json={"reason": "changed mind"}, headers=headers)
    assert_problem(cancel, 409, code="invalid_state")
    # Shipped once only.
    assert await level_and_ledger(sessionmaker, source.id, product.id) == (D(7), D(0), D(7), 2)
    assert (await client.get(url, headers=headers)).json()["status"] == "shipped"


async def test_cancel_a_draft(client, auth, sessionmaker, two_warehouses) -> None:
    source, destination = two_warehouses
    product = await make_product(sessionmaker)
    headers = await auth.as_role("warehouse")
    transfer = await created(client, headers, source.code, destination.code, [(product.sku, "3")])
    url = f"{TRANSFERS}/{transfer['id']}"

    response = await client.post(f"{url}/cancel", json={"reason": "not needed"}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "not needed"
    assert body["cancelled_at"] and body["version"] == transfer["version"] + 1
    assert (await events_of(sessionmaker, transfer["id"])) == (
        ["created", "cancelled"],
        ["transfer.cancelled", "transfer.created"],
    )
    assert_problem(await client.post(f"{url}/ship", headers=headers), 409, code="invalid_state")
    receive = await client.post(
        f"{url}/receive", json={"lines": [{"sku": product.sku, "quantity": "1"}]}, headers=headers
    )
    assert_problem(receive, 409, code="invalid_state")
    missing_reason = await client.post(f"{url}/cancel", json={}, headers=headers)
    assert_problem(missing_reason, 422, field="reason")


async def test_receiving_more_than_shipped_is_refused(
    client, auth, sessionmaker, two_warehouses
) -> None:
    source, destination = two_warehouses
    product = await make_product(sessionmaker)
    other = await make_product(sessionmaker)
    headers = await auth.as_role("warehouse")
    await put_stock(client, headers, source.code, product.sku, "10")
    transfer = await created(client, headers, source.code, destination.code, [(product.sku, "5")])
    url = f"{TRANSFERS}/{transfer['id']}"
    assert (await client.post(f"{url}/ship", headers=headers)).status_code == 200
    ok = await client.post(
        f"{url}/receive", json={"lines": [{"sku": product.sku, "quantity": "3"}]}, headers=headers
    )
    assert ok.status_code == 200, ok.text

    too_many = await client.post(
        f"{url}/receive", json={"lines": [{"sku": product.sku, "quantity": "3"}]}, headers=headers
    )
    assert_problem(too_many, 422, field="lines.0.quantity")
    not_on_it = await client.post(
        f"{url}/receive", json={"lines": [{"sku": other.sku, "quantity": "1"}]}, headers=headers
    )
    assert_problem(not_on_it, 422, field="lines.0.sku")
    assert await level_and_ledger(sessionmaker, destination.id, product.id) == (
        D(3),
        D(0),
        D(3),
        1,
    )
    assert (await client.get(url, headers=headers)).json()["status"] == "partially_received"


@pytest.mark.parametrize(
    ("quantity", "field"),
    [("0", "lines.0.quantity"), ("-2", "lines.0.quantity"), ("1.5", "lines.0.quantity")],
)
async def test_bad_quantities_are_refused(
    client, auth, sessionmaker, two_warehouses, quantity: str, field: str
) -> None:
    source, destination = two_warehouses
    product = await make_product(sessionmaker)  # pieces: whole numbers only
    headers = await auth.as_role("warehouse")
    response = await create(
        client, headers, source.code, destination.code, [(product.sku, quantity)]
    )
    assert_problem(response, 422, field=field)
    listed = await client.get(TRANSFERS, params={"from_warehouse": source.code}, headers=headers)
    assert listed.json()["items"] == []


async def test_same_warehouse_and_unknown_codes_are_refused(
    client, auth, sessionmaker, two_warehouses
) -> None:
    source, destination = two_warehouses
    product = await make_product(sessionmaker)
    headers = await auth.as_role("warehouse")
    same = await create(client, headers, source.code, source.code, [(product.sku, "1")])
    assert_problem(same, 422, field="to_warehouse")

    unknown_wh = await create(client, headers, source.code, "NOPE-WH", [(product.sku, "1")])
    assert_problem(unknown_wh, 422, code="unknown_reference", field="to_warehouse")
    unknown_sku = await create(
        client, headers, source.code, destination.code, [(product.sku, "1"), ("NO-SUCH", "1")]
    )
    assert_problem(unknown_sku, 422, code="unknown_reference", field="lines.1.sku")
    bad_reason = await create(
        client, headers, source.code, destination.code, [(product.sku, "1")], reason="gift"
    )
    assert_problem(bad_reason, 422, field="reason")
    unknown_order = await create(
        client,
        headers,
        source.code,
        destination.code,
        [(product.sku, "1")],
        order_id="00000000-0000-0000-0000-000000000000",
    )
    assert_problem(unknown_order, 422, code="unknown_reference", field="order_id")


async def test_permissions(client, auth, sessionmaker, two_warehouses) -> None:
    source, destination = two_warehouses
    product = await make_product(sessionmaker)
    lines = [(product.sku, "1")]
    assert_problem(await create(client, {}, source.code, destination.code, lines), 401)
    assert_problem(await client.get(TRANSFERS), 401)
    sales = await auth.as_role("sales")
    assert_problem(await create(client, sales, source.code, destination.code, lines), 403)
    reader = await auth.with_scopes("stock:read")
    assert_problem(await create(client, reader, source.code, destination.code, lines), 403)
    transfer = await created(
        client, await auth.as_role("admin"), source.code, destination.code, lines
    )
    assert (await client.get(f"{TRANSFERS}/{transfer['id']}", headers=reader)).status_code == 200
    assert_problem(await client.post(f"{TRANSFERS}/{transfer['id']}/ship", headers=reader), 403)
    assert_problem(await client.post(f"{TRANSFERS}/{transfer['id']}/ship", headers=sales), 403)


async def test_unknown_transfer_is_404(client, auth) -> None:
    headers = await auth.as_role("warehouse")
    missing = "00000000-0000-0000-0000-000000000001"
    assert_problem(await client.get(f"{TRANSFERS}/{missing}", headers=headers), 404)
    assert_problem(await client.post(f"{TRANSFERS}/{missing}/ship", headers=headers), 404)


async def test_list_filters_and_pages_newest_first(
    client, auth, sessionmaker, two_warehouses
) -> None:
    source, destination = two_warehouses
    third = await make_warehouse(sessionmaker)
    product = await make_product(sessionmaker)
    headers = await auth.as_role("warehouse")
    await put_stock(client, headers, source.code, product.sku, "100")
    ids = []
    for i in range(5):
        to = destination.code if i % 2 == 0 else third.code
        reason = "manual" if i == 4 else "replenishment"
        ids.append(
            (await created(client, headers, source.code, to, [(product.sku, "1")], reason=reason))[
                "id"
            ]
        )
    assert (await client.post(f"{TRANSFERS}/{ids[0]}/ship", headers=headers)).status_code == 200

    seen: list[str] = []
    cursor = None
    while True:
        params = {"from_warehouse": source.code, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(TRANSFERS, params=params, headers=headers)).json()
        assert len(page["items"]) <= 2
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))

    async def ids_for(**params) -> list[str]:
        response = await client.get(TRANSFERS, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [t["id"] for t in response.json()["items"]]

    assert await ids_for(to_warehouse=destination.code) == [ids[4], ids[2], ids[0]]
    assert await ids_for(to_warehouse=third.code) == [ids[3], ids[1]]
    assert await ids_for(from_warehouse=source.code, status="shipped") == [ids[0]]
    assert await ids_for(from_warehouse=source.code, reason="manual") == [ids[4]]
    assert await ids_for(from_warehouse=third.code) == []
    listed = await client.get(TRANSFERS, params={"to_warehouse": third.code}, headers=headers)
    assert listed.json()["items"][0]["lines"][0]["sku"] == product.sku
    bad = await client.get(TRANSFERS, params={"to_warehouse": "NOPE-WH"}, headers=headers)
    assert_problem(bad, 422, code="unknown_reference", field="to_warehouse")
    bad_status = await client.get(TRANSFERS, params={"status": "lost"}, headers=headers)
    assert_problem(bad_status, 422)


async def test_stock_that_arrives_is_allocated_to_waiting_orders(
    client, auth, sessionmaker, two_warehouses
) -> None:
    source, destination = two_warehouses
    product = await make_product(sessionmaker)
    customer = await make_customer(sessionmaker)
    headers = await auth.as_role("warehouse")
    await put_stock(client, headers, source.code, product.sku, "5")
    transfer = await created(client, headers, source.code, destination.code, [(product.sku, "5")])
    url = f"{TRANSFERS}/{transfer['id']}"
    assert (await client.post(f"{url}/ship", headers=headers)).status_code == 200

    # Nothing is available anywhere while the stock is in transit: the order waits.
    order = await client.post(
        "/api/v1/orders",
        json={
            "channel": "manual",
            "customer": {"code": customer.code},
            "lines": [{"sku": product.sku, "quantity": "3"}],
            "submit": True,
        },
        headers=await auth.as_role("sales"),
    )
    assert order.status_code == 201, order.text
    order_url = f"/api/v1/orders/{order.json()['id']}"
    admin = await auth.as_role("admin")
    waiting = (await client.get(order_url, headers=admin)).json()
    assert waiting["status"] == "approved"
    assert waiting["lines"][0]["reserved"] == "0"

    received = await client.post(
        f"{url}/receive", json={"lines": [{"sku": product.sku, "quantity": "5"}]}, headers=headers
    )
    assert received.status_code == 200, received.text
    assert await level_and_ledger(sessionmaker, destination.id, product.id) == (
        D(5),
        D(3),
        D(5),
        1,
    )
    allocated = (await client.get(order_url, headers=admin)).json()
    assert allocated["lines"][0]["reserved"] == "3"
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []
