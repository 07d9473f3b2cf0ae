"""Suppliers: create, read, update with If-Match, list with keyset pages, permissions, and bad
input that changes nothing."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from app.repositories.events import AuditEvent, OutboxEvent
from tests.support import assert_problem

URL = "/api/v1/suppliers"
NAME = "宁波精密五金制品有限公司"


def supplier_body(code: str, **overrides):
    body = {
        "code": code,
        "name": NAME,
        "contacts": [{"name": "陈小姐", "phone": "0574-8765 4321", "email": "chen@example.cn"}],
        "lead_time_days": 14,
    }
    body.update(overrides)
    return body


async def create(client, headers, code: str, **overrides) -> dict:
    response = await client.post(URL, json=supplier_body(code, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def supplier_events(sessionmaker) -> tuple[int, int]:
    """How many audit and outbox events about suppliers exist."""
    async with sessionmaker() as session:
        audits = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "supplier")
        )
        outbox = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.aggregate_type == "supplier")
        )
    return audits or 0, outbox or 0


async def assert_nothing_written(client, sessionmaker, headers) -> None:
    assert (await client.get(URL, headers=headers)).json()["items"] == []
    assert await supplier_events(sessionmaker) == (0, 0)


async def test_create_get_update_round_trip(client: httpx.AsyncClient, auth) -> None:
    headers = await auth.as_role("warehouse")
    created = await client.post(URL, json=supplier_body("S001"), headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"1"'
    body = created.json()
    assert body["name"] == NAME and body["lead_time_days"] == 14 and body["active"] is True
    assert body["contacts"] == supplier_body("S001")["contacts"]

    fetched = await client.get(f"{URL}/{body['id']}", headers=headers)
    assert fetched.json() == body
    assert fetched.headers["etag"] == '"1"'

    updated = await client.patch(
        f"{URL}/{body['id']}",
        json={"lead_time_days": 0, "contacts": [{"name": "周先生"}]},
        headers={**headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.headers["etag"] == '"2"'
    after = updated.json()
    assert after["lead_time_days"] == 0
    assert after["contacts"] == [{"name": "周先生", "phone": None, "email": None}]
    assert after["name"] == NAME and after["version"] == 2


async def test_minimal_body_takes_defaults(client, auth) -> None:
    response = await client.post(
        URL, json={"code": "MIN", "name": "Acme"}, headers=await auth.as_role("admin")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["contacts"], body["lead_time_days"], body["active"]) == ([], 7, True)


async def test_duplicate_code_is_409_and_writes_nothing_more(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    await create(client, headers, "DUP")
    again = await client.post(URL, json=supplier_body("DUP", name="Other"), headers=headers)
    assert_problem(again, 409, code="duplicate")
    listed = (await client.get(URL, headers=headers)).json()["items"]
    assert [(s["code"], s["name"]) for s in listed] == [("DUP", NAME)]
    assert await supplier_events(sessionmaker) == (1, 1)


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"lead_time_days": -1}, "lead_time_days", "greater_than_equal"),
        ({"lead_time_days": "a week"}, "lead_time_days", "int_parsing"),
        ({"lead_time_days": 2.5}, "lead_time_days", "int_from_float"),
        ({"code": ""}, "code", "string_too_short"),
        ({"code": "has space"}, "code", "string_pattern_mismatch"),
        ({"name": "   "}, "name", "string_too_short"),
        ({"contacts": {"name": "x"}}, "contacts", "list_type"),
        ({"contacts": [{"phone": "1"}]}, "contacts.0.name", "missing"),
        ({"active": "maybe"}, "active", "bool_parsing"),
        ({"rating": 5}, "rating", "extra_forbidden"),
    ],
)
async def test_bad_input_names_field_and_rule_and_writes_nothing(
    client, auth, sessionmaker, overrides, field, rule
) -> None:
    headers = await auth.as_role("admin")
    response = await client.post(URL, json={**supplier_body("BAD"), **overrides}, headers=headers)
    body = assert_problem(response, 422, code="validation_error", field=field)
    rules = {e["field"]: e["rule"] for e in body["errors"]}
    assert rules[f"body.{field}"] == rule, body
    await assert_nothing_written(client, sessionmaker, headers)


@pytest.mark.parametrize("field", ["name", "contacts", "lead_time_days", "active"])
async def test_update_cannot_null_a_required_field(client, auth, field) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "NUL")
    response = await client.patch(
        f"{URL}/{body['id']}", json={field: None}, headers={**headers, "If-Match": '"1"'}
    )
    problem = assert_problem(response, 422, code="validation_error", field=field)
    assert problem["errors"][0]["rule"] == "not_nullable"
    assert (await client.get(f"{URL}/{body['id']}", headers=headers)).json() == body


async def test_update_cannot_change_the_code(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "KEEP")
    response = await client.patch(
        f"{URL}/{body['id']}", json={"code": "NEW"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 422, code="validation_error", field="code")
    assert (await client.get(f"{URL}/{body['id']}", headers=headers)).json() == body


async def test_stale_if_match_is_412_and_changes_nothing(client, auth) -> None:
    headers = await auth.as_role("admin")
    sid = (await create(client, headers, "STALE"))["id"]
    await client.patch(
        f"{URL}/{sid}", json={"lead_time_days": 3}, headers={**headers, "If-Match": '"1"'}
    )
    stale = await client.patch(
        f"{URL}/{sid}", json={"lead_time_days": 30}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, code="stale_version")
    current = (await client.get(f"{URL}/{sid}", headers=headers)).json()
    assert (current["lead_time_days"], current["version"]) == (3, 2)


async def test_update_without_if_match_is_428(client, auth) -> None:
    headers = await auth.as_role("admin")
    sid = (await create(client, headers, "NOIF"))["id"]
    response = await client.patch(f"{URL}/{sid}", json={"lead_time_days": 1}, headers=headers)
    assert_problem(response, 428, code="precondition_required")


async def test_unknown_supplier_is_404(client, auth) -> None:
    headers = await auth.as_role("admin")
    missing = str(uuid.uuid4())
    assert_problem(await client.get(f"{URL}/{missing}", headers=headers), 404, code="not_found")
    response = await client.patch(
        f"{URL}/{missing}", json={"active": False}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 404, code="not_found")


async def test_deactivate_with_patch_and_there_is_no_delete(client, auth) -> None:
    headers = await auth.as_role("warehouse")
    sid = (await create(client, headers, "OFF"))["id"]
    assert_problem(await client.delete(f"{URL}/{sid}", headers=headers), 405)
    response = await client.patch(
        f"{URL}/{sid}", json={"active": False}, headers={**headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False


async def test_list_pages_by_code_and_filters(client, auth) -> None:
    headers = await auth.as_role("admin")
    for code, name, active in [
        ("S3", "Ningbo Hardware", True),
        ("S1", "宁波模具厂", True),
        ("S2", "Shenzhen PCB 50%", False),
        ("S4", "ningbo fasteners", True),
    ]:
        await create(client, headers, code, name=name, active=active)

    async def codes(**params) -> list[str]:
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [s["code"] for s in response.json()["items"]]

    first = (await client.get(URL, params={"limit": 3}, headers=headers)).json()
    assert [s["code"] for s in first["items"]] == ["S1", "S2", "S3"]
    second = (
        await client.get(URL, params={"limit": 3, "cursor": first["next_cursor"]}, headers=headers)
    ).json()
    assert [s["code"] for s in second["items"]] == ["S4"] and second["next_cursor"] is None
    assert await codes(active="true") == ["S1", "S3", "S4"]
    assert await codes(active="false") == ["S2"]
    assert await codes(q="NINGBO") == ["S3", "S4"]
    assert await codes(q="宁波") == ["S1"]
    assert await codes(q="50%") == ["S2"]
    assert await codes(q="s4") == ["S4"]
    assert await codes(q="ningbo", active="true") == ["S3", "S4"]


async def test_bad_cursor_is_422(client, auth) -> None:
    response = await client.get(URL, params={"cursor": "%%%"}, headers=await auth.as_role("viewer"))
    assert_problem(response, 422, field="cursor")


async def test_changes_write_audit_and_outbox_events(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    sid = (await create(client, headers, "EV"))["id"]
    await client.patch(
        f"{URL}/{sid}", json={"name": "Renamed"}, headers={**headers, "If-Match": '"1"'}
    )
    async with sessionmaker() as session:
        audits = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == sid).order_by(AuditEvent.at)
            )
        ).all()
        outbox = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == sid))
        ).all()
    assert [a.action for a in audits] == ["created", "updated"]
    assert (audits[1].before["name"], audits[1].after["name"]) == (NAME, "Renamed")
    assert sorted(e.event_type for e in outbox) == ["supplier.created", "supplier.updated"]


async def test_an_update_that_changes_nothing_keeps_the_version(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "SAME")
    response = await client.patch(
        f"{URL}/{body['id']}",
        json={"name": NAME, "contacts": body["contacts"]},
        headers={**headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"1"'
    assert await supplier_events(sessionmaker) == (1, 1)


async def test_no_credentials_is_401(client) -> None:
    assert_problem(await client.get(URL), 401, code="not_authenticated")
    assert_problem(await client.post(URL, json=supplier_body("ANON")), 401)


async def test_viewer_cannot_create_and_nothing_is_written(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("viewer")
    response = await client.post(URL, json=supplier_body("V1"), headers=headers)
    assert_problem(response, 403, code="permission_denied")
    await assert_nothing_written(client, sessionmaker, headers)


async def test_sales_cannot_update_a_supplier(client, auth) -> None:
    body = await create(client, await auth.as_role("warehouse"), "SALES")
    sales = await auth.as_role("sales")
    response = await client.patch(
        f"{URL}/{body['id']}", json={"lead_time_days": 1}, headers={**sales, "If-Match": '"1"'}
    )
    assert_problem(response, 403, code="permission_denied")
    assert (await client.get(f"{URL}/{body['id']}", headers=sales)).json() == body


async def test_concurrent_creates_of_one_code_make_one_supplier(pg_client, pg_auth, unique) -> None:
    """On PostgreSQL with real parallel connections: the unique code decides, losers get 409."""
    headers = await pg_auth.as_role("admin")
    code = f"RACE-{unique}"
    responses = await asyncio.gather(
        *[pg_client.post(URL, json=supplier_body(code), headers=headers) for _ in range(8)]
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [
        r.text for r in responses
    ]
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409, code="duplicate")
