"""Warehouses: create, read, update with If-Match, list with keyset pages, bins, bad input."""

from __future__ import annotations

from decimal import Decimal

import httpx

from tests.support import assert_problem


def warehouse_body(code: str, **overrides):
    body = {
        "code": code,
        "name": "上海一号仓",
        "address": {
            "country": "CN",
            "region": "上海市",
            "city": "上海市",
            "district": "浦东新区",
            "postcode": "200120",
            "street": "张江路 88 号",
        },
        "latitude": "31.2304",
        "longitude": "121.4737",
        "priority": 10,
    }
    body.update(overrides)
    return body


async def test_create_get_update_round_trip(client: httpx.AsyncClient, auth) -> None:
    headers = await auth.as_role("warehouse")
    created = await client.post("/api/v1/warehouses", json=warehouse_body("SH1"), headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["address"]["street"] == "张江路 88 号"
    assert body["latitude"] == "31.2304"
    assert created.headers["etag"] == '"1"'

    fetched = await client.get(f"/api/v1/warehouses/{body['id']}", headers=headers)
    assert fetched.json() == body

    updated = await client.patch(
        f"/api/v1/warehouses/{body['id']}",
        json={"priority": 5, "active": False},
        headers={**headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["priority"] == 5 and updated.json()["active"] is False
    assert updated.headers["etag"] == '"2"'


async def test_stale_if_match_is_412_and_changes_nothing(client, auth) -> None:
    headers = await auth.as_role("admin")
    wid = (
        await client.post("/api/v1/warehouses", json=warehouse_body("W1"), headers=headers)
    ).json()["id"]
    await client.patch(
        f"/api/v1/warehouses/{wid}", json={"priority": 1}, headers={**headers, "If-Match": '"1"'}
    )
    stale = await client.patch(
        f"/api/v1/warehouses/{wid}", json={"priority": 99}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, code="stale_version")
    assert (await client.get(f"/api/v1/warehouses/{wid}", headers=headers)).json()["priority"] == 1


async def test_update_without_if_match_is_428(client, auth) -> None:
    headers = await auth.as_role("admin")
    wid = (
        await client.post("/api/v1/warehouses", json=warehouse_body("W2"), headers=headers)
    ).json()["id"]
    response = await client.patch(
        f"/api/v1/warehouses/{wid}", json={"priority": 1}, headers=headers
    )
    assert_problem(response, 428, code="precondition_required")


async def test_duplicate_code_is_409(client, auth) -> None:
    headers = await auth.as_role("admin")
    await client.post("/api/v1/warehouses", json=warehouse_body("DUP"), headers=headers)
    again = await client.post("/api/v1/warehouses", json=warehouse_body("DUP"), headers=headers)
    assert_problem(again, 409, code="duplicate")


async def test_list_pages_by_cursor_and_filters(client, auth) -> None:
    headers = await auth.as_role("admin")
    for code in ["A1", "A2", "A3", "B1"]:
        await client.post(
            "/api/v1/warehouses",
            json=warehouse_body(code, name=f"Hub {code}", active=code != "A3"),
            headers=headers,
        )
    first = (await client.get("/api/v1/warehouses?limit=2", headers=headers)).json()
    assert [w["code"] for w in first["items"]] == ["A1", "A2"]
    second = (
        await client.get(
            f"/api/v1/warehouses?limit=2&cursor={first['next_cursor']}", headers=headers
        )
    ).json()
    assert [w["code"] for w in second["items"]] == ["A3", "B1"]
    assert second["next_cursor"] is None
    active = (await client.get("/api/v1/warehouses?active=true&q=hub a", headers=headers)).json()
    assert [w["code"] for w in active["items"]] == ["A1", "A2"]


async def test_bad_cursor_is_422(client, auth) -> None:
    response = await client.get(
        "/api/v1/warehouses?cursor=%%%", headers=await auth.as_role("viewer")
    )
    assert_problem(response, 422, field="cursor")


async def test_validation_names_each_field_and_rule(client, auth) -> None:
    response = await client.post(
        "/api/v1/warehouses",
        json={"code": "", "name": "x", "latitude": "91", "priority": -1, "colour": "red"},
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="validation_error")
    rules = {e["field"]: e["rule"] for e in body["errors"]}
    assert rules["body.code"] == "string_too_short"
    assert rules["body.latitude"] == "less_than_equal"
    assert rules["body.priority"] == "greater_than_equal"
    assert rules["body.colour"] == "extra_forbidden"


async def test_malformed_json_is_400(client, auth) -> None:
    response = await client.post(
        "/api/v1/warehouses",
        content=b'{"code": "X",',
        headers={**await auth.as_role("admin"), "Content-Type": "application/json"},
    )
    assert_problem(response, 400, code="malformed_json")


async def test_viewer_cannot_create_and_nothing_is_written(client, auth) -> None:
    response = await client.post(
        "/api/v1/warehouses", json=warehouse_body("V1"), headers=await auth.as_role("viewer")
    )
    assert_problem(response, 403, code="permission_denied")
    listed = await client.get("/api/v1/warehouses", headers=await auth.as_role("viewer"))
    assert listed.json()["items"] == []


async def test_no_credentials_is_401(client) -> None:
    assert_problem(await client.get("/api/v1/warehouses"), 401)


async def test_changes_write_audit_and_outbox_events(client, auth, sessionmaker) -> None:
    from sqlalchemy import select

    from app.repositories.events import AuditEvent, OutboxEvent

    headers = await auth.as_role("admin")
    wid = (
        await client.post("/api/v1/warehouses", json=warehouse_body("EV"), headers=headers)
    ).json()["id"]
    await client.patch(
        f"/api/v1/warehouses/{wid}",
        json={"name": "Renamed"},
        headers={**headers, "If-Match": '"1"'},
    )
    async with sessionmaker() as session:
        audits = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == wid).order_by(AuditEvent.at)
            )
        ).all()
        outbox = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == wid))
        ).all()
    assert [a.action for a in audits] == ["created", "updated"]
    assert audits[1].before["name"] == "上海一号仓" and audits[1].after["name"] == "Renamed"
    assert audits[0].actor.startswith("user:admin")
    assert sorted(e.event_type for e in outbox) == ["warehouse.created", "warehouse.updated"]


async def test_bin_location_set_and_listed(client, auth, sessionmaker) -> None:

    from app.repositories.products import Product

    async with sessionmaker() as session:
        session.add(
            Product(
                sku="SKU-BIN",
                name="Bolt",
                currency="CNY",
                list_price=Decimal("1"),
                substitutes=[],
                version=1,
            )
        )
        await session.commit()
    headers = await auth.as_role("warehouse")
    wid = (
        await client.post("/api/v1/warehouses", json=warehouse_body("BIN"), headers=headers)
    ).json()["id"]
    put = await client.put(
        f"/api/v1/warehouses/{wid}/bins/SKU-BIN", json={"location": "A-03-2-07"}, headers=headers
    )
    assert put.status_code == 200, put.text
    assert put.json() | {} == {
        "warehouse_id": wid,
        "sku": "SKU-BIN",
        "location": "A-03-2-07",
        "zone": "A",
        "aisle": "03",
        "shelf": "2",
        "bin": "07",
    }
    listed = (await client.get(f"/api/v1/warehouses/{wid}/bins", headers=headers)).json()
    assert [b["location"] for b in listed["items"]] == ["A-03-2-07"]
    bad = await client.put(
        f"/api/v1/warehouses/{wid}/bins/SKU-BIN", json={"location": "A-03"}, headers=headers
    )
    assert_problem(bad, 422, field="location")
    unknown = await client.put(
        f"/api/v1/warehouses/{wid}/bins/NOPE", json={"location": "A-1-1-1"}, headers=headers
    )
    assert_problem(unknown, 422, code="unknown_reference", field="sku")


async def test_concurrent_creates_with_one_code_give_one_201_and_409s(pg_client, pg_auth) -> None:
    import asyncio
    import uuid

    headers = await pg_auth.as_role("admin")
    code = f"RACE-{uuid.uuid4().hex[:6]}"
    answers = await asyncio.gather(
        *[
            pg_client.post("/api/v1/warehouses", json=warehouse_body(code), headers=headers)
            for _ in range(8)
        ]
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 7
    for answer in answers:
        if answer.status_code == 409:
            assert_problem(answer, 409, code="duplicate")


async def test_null_for_a_required_field_is_422(client, auth) -> None:
    headers = await auth.as_role("admin")
    wid = (
        await client.post("/api/v1/warehouses", json=warehouse_body("NUL"), headers=headers)
    ).json()["id"]
    response = await client.patch(
        f"/api/v1/warehouses/{wid}", json={"name": None}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 422, field="body.name")
