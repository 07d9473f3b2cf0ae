"""Stock: movements change on-hand only through the ledger, the guard refuses what would break
``0 ≤ reserved ≤ on_hand`` (409, nothing written), lists page by cursor, availability per
warehouse; and under real concurrency on PostgreSQL nothing is oversold."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.stock import StockMovement
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from tests.factories import make_product, make_warehouse
from tests.integration.stock_data import force_level, level_and_ledger
from tests.support import assert_problem

MOVEMENTS = "/api/v1/stock/movements"
LEVELS = "/api/v1/stock/levels"


def move(warehouse: str, sku: str, kind: str, quantity: str, **extra: str) -> dict[str, str]:
    return {"warehouse": warehouse, "sku": sku, "kind": kind, "quantity": quantity, **extra}


async def receive(client, headers, warehouse: str, sku: str, quantity: str) -> dict:
    response = await client.post(
        MOVEMENTS, json=move(warehouse, sku, "receipt", quantity), headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def count_rows(sessionmaker) -> tuple[int, int, int]:
    """Movements, audit events and outbox events in the database."""
    async with sessionmaker() as session:
        return (
            await session.scalar(select(func.count()).select_from(StockMovement)),
            await session.scalar(select(func.count()).select_from(AuditEvent)),
            await session.scalar(select(func.count()).select_from(OutboxEvent)),
        )


@pytest.fixture
async def stocked(sessionmaker):
    """A warehouse and a pieces product, nothing on hand yet."""
    return await make_warehouse(sessionmaker), await make_product(sessionmaker)


async def test_receipt_raises_on_hand_and_writes_movement_audit_and_outbox(
    client: httpx.AsyncClient, auth, sessionmaker, stocked
) -> None:
    warehouse, product = stocked
    headers = await auth.as_role("warehouse")
    response = await client.post(
        MOVEMENTS,
        json=move(warehouse.code, product.sku, "receipt", "10", reference="ASN-77"),
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    movement, level = body["movement"], body["level"]
    assert movement["kind"] == "receipt" and movement["quantity"] == "10"
    assert movement["warehouse"] == warehouse.code and movement["sku"] == product.sku
    assert movement["warehouse_id"] == str(warehouse.id)
    assert movement["reference"] == "ASN-77" and movement["reason"] is None
    assert movement["actor"].startswith("user:warehouse")
    assert level == level | {"on_hand": "10", "reserved": "0", "available": "10"}

    assert await level_and_ledger(sessionmaker, warehouse.id, product.id) == (
        Decimal(10),
        Decimal(0),
        Decimal(10),
        1,
    )
    async with sessionmaker() as session:
        audit = (
            await session.scalars(select(AuditEvent).where(AuditEvent.entity_id == movement["id"]))
        ).one()
        outbox = (
            await session.scalars(
                select(OutboxEvent).where(OutboxEvent.aggregate_id == movement["id"])
            )
        ).one()
    assert audit.entity_type == "stock_movement" and audit.action == "created"
    assert audit.actor == movement["actor"] and audit.after["sku"] == product.sku
    assert Decimal(audit.after["level"]["on_hand"]) == 10
    assert outbox.event_type == "stock.moved"
    assert outbox.payload["warehouse"] == warehouse.code
    assert Decimal(outbox.payload["quantity"]) == 10


async def test_on_hand_always_equals_the_ledger_sum(client, auth, sessionmaker) -> None:
    warehouse = await make_warehouse(sessionmaker)
    product = await make_product(sessionmaker, uom="kg", uom_precision=3)
    headers = await auth.as_role("admin")
    steps = [
        ("receipt", "10", None),
        ("adjustment", "-3.25", "damaged in handling"),
        ("receipt", "2.5", None),
        ("adjustment", "0.125", "recount"),
        ("adjustment", "-9.375", "scrapped"),
    ]
    expected = Decimal(0)
    for kind, quantity, reason in steps:
        body = move(warehouse.code, product.sku, kind, quantity)
        if reason:
            body["reason"] = reason
        response = await client.post(MOVEMENTS, json=body, headers=headers)
        assert response.status_code == 201, response.text
        expected += Decimal(quantity)
        assert Decimal(response.json()["level"]["on_hand"]) == expected
        on_hand, _, ledger, _ = await level_and_ledger(sessionmaker, warehouse.id, product.id)
        assert on_hand == ledger == expected
    assert expected == 0
    assert await check_invariants(SqlAlchemyUnitOfWork(sessionmaker)) == []


async def test_adjustment_below_zero_is_409_and_writes_nothing(
    client, auth, sessionmaker, stocked
) -> None:
    warehouse, product = stocked
    headers = await auth.as_role("warehouse")
    await receive(client, headers, warehouse.code, product.sku, "5")
    before = await count_rows(sessionmaker)

    response = await client.post(
        MOVEMENTS,
        json=move(warehouse.code, product.sku, "adjustment", "-6", reason="lost"),
        headers=headers,
    )
    body = assert_problem(response, 409, code="insufficient_stock", field="quantity")
    assert "on_hand 5" in body["detail"] and "reserved 0" in body["detail"]
    assert "requested -6" in body["detail"]
    assert await count_rows(sessionmaker) == before
    assert await level_and_ledger(sessionmaker, warehouse.id, product.id) == (
        Decimal(5),
        Decimal(0),
        Decimal(5),
        1,
    )


async def test_adjustment_below_reserved_is_409_and_writes_nothing(
    client, auth, sessionmaker, stocked
) -> None:
    warehouse, product = stocked
    headers = await auth.as_role("warehouse")
    await receive(client, headers, warehouse.code, product.sku, "10")
    await force_level(sessionmaker, warehouse.id, product.id, reserved=Decimal(4))
    before = await count_rows(sessionmaker)

    refused = await client.post(
        MOVEMENTS,
        json=move(warehouse.code, product.sku, "adjustment", "-7", reason="count"),
        headers=headers,
    )
    body = assert_problem(refused, 409, code="insufficient_stock")
    assert "on_hand 10, reserved 4, requested -7" in body["detail"]
    assert "at most 6" in body["detail"]
    assert await count_rows(sessionmaker) == before
    assert (await level_and_ledger(sessionmaker, warehouse.id, product.id))[:2] == (
        Decimal(10),
        Decimal(4),
    )

    exact = await client.post(
        MOVEMENTS,
        json=move(warehouse.code, product.sku, "adjustment", "-6", reason="count"),
        headers=headers,
    )
    assert exact.status_code == 201, exact.text
    assert exact.json()["level"] | {} == exact.json()["level"] | {
        "on_hand": "4",
        "reserved": "4",
        "available": "0",
    }


async def test_negative_adjustment_of_never_stocked_product_is_409(
    client, auth, sessionmaker, stocked
) -> None:
    warehouse, product = stocked
    response = await client.post(
        MOVEMENTS,
        json=move(warehouse.code, product.sku, "adjustment", "-1", reason="found short"),
        headers=await auth.as_role("warehouse"),
    )
    body = assert_problem(response, 409, code="insufficient_stock")
    assert "on_hand 0, reserved 0, requested -1" in body["detail"]
    assert await level_and_ledger(sessionmaker, warehouse.id, product.id) == (None, None, 0, 0)


@pytest.mark.parametrize(
    ("kind", "quantity", "rule"),
    [
        ("receipt", "-1", "greater_than"),
        ("receipt", "0", "greater_than"),
        ("receipt", "1.5", "unit_precision"),
        ("adjustment", "-0.5", "unit_precision"),
        ("adjustment", "0", "not_zero"),
        ("receipt", "1.0001", "decimal_max_places"),
        ("receipt", "1e20", "decimal_max_digits"),
        ("receipt", "NaN", "finite_number"),
    ],
)
async def test_bad_quantity_is_422_naming_quantity(
    client, auth, sessionmaker, stocked, kind, quantity, rule
) -> None:
    warehouse, product = stocked
    response = await client.post(
        MOVEMENTS,
        json=move(warehouse.code, product.sku, kind, quantity, reason="r"),
        headers=await auth.as_role("warehouse"),
    )
    body = assert_problem(response, 422, field="quantity")
    assert rule in {e["rule"] for e in body["errors"]}, body
    assert await count_rows(sessionmaker) == (0, 0, 0)


async def test_whole_quantity_written_with_decimals_is_accepted_for_pieces(
    client, auth, stocked
) -> None:
    warehouse, product = stocked
    body = await receive(
        client, await auth.as_role("warehouse"), warehouse.code, product.sku, "2.000"
    )
    assert body["movement"]["quantity"] == "2" and body["level"]["on_hand"] == "2"


@pytest.mark.parametrize("reason", [None, "", "   "])
async def test_adjustment_without_reason_is_422(client, auth, stocked, reason) -> None:
    warehouse, product = stocked
    body = move(warehouse.code, product.sku, "adjustment", "3")
    if reason is not None:
        body["reason"] = reason
    response = await client.post(MOVEMENTS, json=body, headers=await auth.as_role("warehouse"))
    problem = assert_problem(response, 422, code="rule_violation", field="reason")
    assert problem["errors"][0]["rule"] == "required"


@pytest.mark.parametrize("kind", ["issue", "transfer_in", "teleport"])
async def test_kinds_other_than_receipt_and_adjustment_are_refused(
    client, auth, sessionmaker, stocked, kind
) -> None:
    warehouse, product = stocked
    response = await client.post(
        MOVEMENTS,
        json=move(warehouse.code, product.sku, kind, "1", reason="x"),
        headers=await auth.as_role("warehouse"),
    )
    assert_problem(response, 422, field="kind")
    assert await count_rows(sessionmaker) == (0, 0, 0)


async def test_unknown_sku_or_warehouse_is_422_naming_the_field(client, auth, stocked) -> None:
    warehouse, product = stocked
    headers = await auth.as_role("warehouse")
    cases = [
        (move(warehouse.code, "NOPE", "receipt", "1"), "sku"),
        (move("NOWHERE", product.sku, "receipt", "1"), "warehouse"),
        (
            {
                "warehouse_id": "00000000-0000-4000-8000-000000000000",
                "sku": product.sku,
                "kind": "receipt",
                "quantity": "1",
            },
            "warehouse_id",
        ),
    ]
    for body, field in cases:
        response = await client.post(MOVEMENTS, json=body, headers=headers)
        assert_problem(response, 422, code="unknown_reference", field=field)

    missing = await client.post(
        MOVEMENTS, json={"sku": product.sku, "kind": "receipt", "quantity": "1"}, headers=headers
    )
    assert_problem(missing, 422, code="rule_violation", field="warehouse")


async def test_warehouse_may_be_named_by_id_and_both_names_must_agree(
    client, auth, sessionmaker, stocked
) -> None:
    warehouse, product = stocked
    other = await make_warehouse(sessionmaker)
    headers = await auth.as_role("warehouse")
    by_id = await client.post(
        MOVEMENTS,
        json={
            "warehouse_id": str(warehouse.id),
            "sku": product.sku,
            "kind": "receipt",
            "quantity": "3",
        },
        headers=headers,
    )
    assert by_id.status_code == 201, by_id.text
    assert by_id.json()["movement"]["warehouse"] == warehouse.code
    both = await client.post(
        MOVEMENTS,
        json=move(other.code, product.sku, "receipt", "1") | {"warehouse_id": str(warehouse.id)},
        headers=headers,
    )
    assert_problem(both, 422, field="warehouse_id")


async def test_inactive_product_or_warehouse_is_422(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("warehouse")
    live_wh = await make_warehouse(sessionmaker)
    closed_wh = await make_warehouse(sessionmaker, active=False)
    live = await make_product(sessionmaker)
    retired = await make_product(sessionmaker, active=False)

    response = await client.post(
        MOVEMENTS, json=move(live_wh.code, retired.sku, "receipt", "1"), headers=headers
    )
    assert_problem(response, 422, code="rule_violation", field="sku")
    response = await client.post(
        MOVEMENTS, json=move(closed_wh.code, live.sku, "receipt", "1"), headers=headers
    )
    assert_problem(response, 422, code="rule_violation", field="warehouse")
    assert await count_rows(sessionmaker) == (0, 0, 0)


async def test_no_credentials_is_401(client, stocked) -> None:
    warehouse, product = stocked
    assert_problem(
        await client.post(MOVEMENTS, json=move(warehouse.code, product.sku, "receipt", "1")), 401
    )
    for path in (MOVEMENTS, LEVELS, f"/api/v1/availability?sku={product.sku}"):
        assert_problem(await client.get(path), 401)


async def test_sales_cannot_record_a_movement_but_can_read(
    client, auth, sessionmaker, stocked
) -> None:
    warehouse, product = stocked
    headers = await auth.as_role("sales")
    response = await client.post(
        MOVEMENTS, json=move(warehouse.code, product.sku, "receipt", "1"), headers=headers
    )
    assert_problem(response, 403, code="permission_denied")
    assert await count_rows(sessionmaker) == (0, 0, 0)
    assert (await client.get(LEVELS, headers=headers)).status_code == 200
    assert (await client.get(MOVEMENTS, headers=headers)).status_code == 200


async def test_api_key_scopes(client, auth, stocked) -> None:
    warehouse, product = stocked
    body = move(warehouse.code, product.sku, "receipt", "1")
    reader = await auth.with_scopes("stock:read")
    assert_problem(await client.post(MOVEMENTS, json=body, headers=reader), 403)
    writer = await auth.with_scopes("stock:write")
    created = await client.post(MOVEMENTS, json=body, headers=writer)
    assert created.status_code == 201, created.text
    assert created.json()["movement"]["actor"].startswith("api_key:")
    assert (await client.get(LEVELS, headers=reader)).status_code == 200


async def test_database_refuses_broken_bounds_even_through_raw_updates(
    client, auth, sessionmaker, stocked
) -> None:
    warehouse, product = stocked
    await receive(client, await auth.as_role("warehouse"), warehouse.code, product.sku, "5")
    for values in ({"reserved": Decimal(6)}, {"reserved": Decimal(-1)}, {"on_hand": Decimal(-1)}):
        with pytest.raises(IntegrityError):
            await force_level(sessionmaker, warehouse.id, product.id, **values)
    assert (await level_and_ledger(sessionmaker, warehouse.id, product.id))[:2] == (
        Decimal(5),
        Decimal(0),
    )


async def test_movements_list_newest_first_with_filters_and_cursor(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("warehouse")
    north = await make_warehouse(sessionmaker)
    south = await make_warehouse(sessionmaker)
    bolt = await make_product(sessionmaker)
    nut = await make_product(sessionmaker)
    ids = []
    for wh, product, kind, qty, ref in [
        (north, bolt, "receipt", "10", "PO-1"),
        (north, nut, "receipt", "20", "PO-1"),
        (south, bolt, "receipt", "30", "PO-2"),
        (north, bolt, "adjustment", "-1", None),
        (south, bolt, "adjustment", "2", None),
    ]:
        body = move(wh.code, product.sku, kind, qty, reason="count")
        if ref:
            body["reference"] = ref
        response = await client.post(MOVEMENTS, json=body, headers=headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["movement"]["id"])

    seen, cursor = [], None
    while True:
        url = f"{MOVEMENTS}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        listed = await client.get(url, headers=headers)
        assert listed.status_code == 200, listed.text
        page = listed.json()
        assert len(page["items"]) <= 2
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [m["id"] for m in seen] == ids[::-1]
    assert seen[0]["warehouse"] == south.code and seen[0]["sku"] == bolt.sku
    stamps = [m["created_at"] for m in seen]
    assert stamps == sorted(stamps, reverse=True)

    async def ids_for(query: str) -> list[str]:
        response = await client.get(f"{MOVEMENTS}?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [m["id"] for m in response.json()["items"]]

    assert await ids_for(f"warehouse={north.code}") == [ids[3], ids[1], ids[0]]
    assert await ids_for(f"sku={nut.sku}") == [ids[1]]
    assert await ids_for(f"warehouse={south.code}&sku={bolt.sku}&kind=adjustment") == [ids[4]]
    assert await ids_for("reference=PO-1") == [ids[1], ids[0]]
    assert await ids_for("kind=issue") == []
    first_at = httpx.QueryParams({"created_from": seen[-1]["created_at"]})
    assert await ids_for(str(first_at)) == ids[::-1]
    before_first = httpx.QueryParams({"created_to": seen[-1]["created_at"]})
    assert await ids_for(str(before_first)) == []
    window = httpx.QueryParams(
        {"created_from": seen[-2]["created_at"], "created_to": seen[0]["created_at"]}
    )
    assert await ids_for(str(window)) == [ids[3], ids[2], ids[1]]


async def test_movement_list_refuses_bad_filters(client, auth) -> None:
    headers = await auth.as_role("viewer")
    cases = [
        ("warehouse=NOWHERE", "unknown_reference", "warehouse"),
        ("sku=NOPE", "unknown_reference", "sku"),
        ("kind=teleport", "validation_error", "kind"),
        ("created_from=2026-01-01T00:00:00", "validation_error", "created_from"),
        (
            "created_from=2026-02-01T00:00:00Z&created_to=2026-01-01T00:00:00Z",
            "rule_violation",
            "created_to",
        ),
        ("cursor=%25%25", "rule_violation", "cursor"),
    ]
    for query, code, field in cases:
        response = await client.get(f"{MOVEMENTS}?{query}", headers=headers)
        assert_problem(response, 422, code=code, field=field)


async def test_levels_list_with_filters_and_cursor(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("warehouse")
    north = await make_warehouse(sessionmaker)
    south = await make_warehouse(sessionmaker)
    bolt = await make_product(sessionmaker)
    nut = await make_product(sessionmaker)
    for wh, product, qty in [(north, bolt, "10"), (north, nut, "20"), (south, bolt, "30")]:
        await receive(client, headers, wh.code, product.sku, qty)
    await force_level(sessionmaker, south.id, bolt.id, reserved=Decimal(12))

    seen, cursor = [], None
    while True:
        url = f"{LEVELS}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await client.get(url, headers=headers)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    by_pair = {(lv["warehouse"], lv["sku"]): lv for lv in seen}
    assert len(seen) == 3 == len(by_pair)
    assert {k: (v["on_hand"], v["reserved"], v["available"]) for k, v in by_pair.items()} == {
        (north.code, bolt.sku): ("10", "0", "10"),
        (north.code, nut.sku): ("20", "0", "20"),
        (south.code, bolt.sku): ("30", "12", "18"),
    }
    only_bolt = (await client.get(f"{LEVELS}?sku={bolt.sku}", headers=headers)).json()["items"]
    assert {lv["warehouse"] for lv in only_bolt} == {north.code, south.code}
    only_north = (await client.get(f"{LEVELS}?warehouse={north.code}", headers=headers)).json()
    assert {lv["sku"] for lv in only_north["items"]} == {bolt.sku, nut.sku}
    one = (
        await client.get(f"{LEVELS}?warehouse={south.code}&sku={bolt.sku}", headers=headers)
    ).json()["items"]
    assert [(lv["warehouse_id"], lv["product_id"]) for lv in one] == [(str(south.id), str(bolt.id))]
    assert_problem(await client.get(f"{LEVELS}?sku=NOPE", headers=headers), 422, field="sku")


async def test_availability_per_active_warehouse_and_total(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("warehouse")
    near = await make_warehouse(sessionmaker, priority=1)
    far = await make_warehouse(sessionmaker, priority=5)
    empty = await make_warehouse(sessionmaker, priority=9)
    closed = await make_warehouse(sessionmaker, priority=0)
    product = await make_product(sessionmaker, uom="kg", uom_precision=3)
    await receive(client, headers, near.code, product.sku, "7.5")
    await receive(client, headers, far.code, product.sku, "4")
    await receive(client, headers, closed.code, product.sku, "100")
    await force_level(sessionmaker, far.id, product.id, reserved=Decimal("1.25"))
    await _deactivate(sessionmaker, closed.id)

    response = await client.get(
        "/api/v1/availability", params={"sku": product.sku}, headers=await auth.as_role("sales")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sku"] == product.sku and body["uom"] == "kg"
    rows = [
        (w["warehouse"], w["on_hand"], w["reserved"], w["available"]) for w in body["warehouses"]
    ]
    assert rows[:3] == [
        (near.code, "7.5", "0", "7.5"),
        (far.code, "4", "1.25", "2.75"),
        (empty.code, "0", "0", "0"),
    ]
    assert closed.code not in {w["warehouse"] for w in body["warehouses"]}
    mine = {near.code, far.code, empty.code}
    others = [w for w in body["warehouses"] if w["warehouse"] not in mine]
    assert all(w["on_hand"] == "0" for w in others)
    assert body["total"] == {"on_hand": "11.5", "reserved": "1.25", "available": "10.25"}


async def test_availability_of_unknown_sku_is_422(client, auth) -> None:
    headers = await auth.as_role("viewer")
    response = await client.get("/api/v1/availability?sku=NOPE", headers=headers)
    assert_problem(response, 422, code="unknown_reference", field="sku")
    assert_problem(await client.get("/api/v1/availability", headers=headers), 422, field="sku")


async def _deactivate(sessionmaker, warehouse_id) -> None:
    from app.repositories.warehouses import Warehouse

    async with sessionmaker() as session:
        warehouse = await session.get(Warehouse, warehouse_id)
        warehouse.active = False
        await session.commit()


@pytest.mark.postgres_only
async def test_concurrent_adjustments_never_take_more_than_exists(
    pg_client: httpx.AsyncClient, pg_auth, pg_app
) -> None:
    sessions = pg_app.state.sessionmaker
    warehouse = await make_warehouse(sessions)
    product = await make_product(sessions)
    headers = await pg_auth.as_role("warehouse")
    await receive(pg_client, headers, warehouse.code, product.sku, "10")

    body = move(warehouse.code, product.sku, "adjustment", "-1", reason="cycle count")
    responses = await asyncio.gather(
        *(pg_client.post(MOVEMENTS, json=body, headers=headers) for _ in range(30))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 10 + [409] * 20, [r.text for r in responses if r.status_code >= 500]
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "insufficient_stock"
    on_hand, reserved, ledger, count = await level_and_ledger(sessions, warehouse.id, product.id)
    assert (on_hand, reserved, ledger, count) == (Decimal(0), Decimal(0), Decimal(0), 11)
    assert await check_invariants(SqlAlchemyUnitOfWork(sessions)) == []
