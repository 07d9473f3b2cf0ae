"""Vehicles of the own fleet: create, read, list with filters and keyset pages, update with
If-Match, who may write them, and every bad input named by its field — on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.vehicles import Vehicle
from tests.factories import make_warehouse
from tests.support import assert_problem

VEHICLES = "/api/v1/vehicles"


@pytest.fixture
async def depots(sessionmaker) -> None:
    await make_warehouse(sessionmaker, "SH", name="上海仓", time_zone="Asia/Shanghai")
    await make_warehouse(sessionmaker, "HZ", name="杭州仓")
    await make_warehouse(sessionmaker, "OLD", name="旧仓", active=False)


def vehicle_body(code: str, **overrides) -> dict:
    body = {
        "code": code,
        "name": "依维柯 4.2 m van",
        "depot": "SH",
        "plate": "沪A·12345",
        "capacity_kg": "1500",
        "capacity_m3": "12.5",
        "shift_start": "08:00",
        "shift_end": "18:00",
        "fixed_cost": "200",
        "cost_per_km": "1.8",
        "cost_per_hour": "45",
        "currency": "CNY",
        "goods_classes": ["general", "fragile"],
        "driver_name": "李师傅",
        "driver_phone": "+86 139 0000 0000",
    }
    body.update(overrides)
    return body


async def count_vehicles(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Vehicle)) or 0)


async def test_create_get_update_round_trip(client, auth, depots, sessionmaker) -> None:
    headers = await auth.as_role("warehouse")
    created = await client.post(VEHICLES, json=vehicle_body("VAN-1"), headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["etag"] == '"1"'
    assert body["depot"] == "SH" and body["depot_warehouse_id"]
    assert body["shift_start"] == "08:00" and body["shift_end"] == "18:00"
    assert body["capacity_kg"] == "1500" and body["capacity_m3"] == "12.5"
    assert body["fixed_cost"] == "200.00" and body["cost_per_km"] == "1.80"
    assert body["goods_classes"] == ["general", "fragile"]
    assert body["max_route_minutes"] is None and body["active"] is True
    assert body["driver_name"] == "李师傅"

    fetched = await client.get(f"{VEHICLES}/{body['id']}", headers=headers)
    assert fetched.status_code == 200 and fetched.json() == body
    assert fetched.headers["etag"] == '"1"'

    updated = await client.patch(
        f"{VEHICLES}/{body['id']}",
        json={"depot": "HZ", "shift_end": "20:30", "max_route_minutes": 480, "plate": None},
        headers={**headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    after = updated.json()
    assert updated.headers["etag"] == '"2"'
    assert after["depot"] == "HZ" and after["depot_warehouse_id"] != body["depot_warehouse_id"]
    assert after["shift_end"] == "20:30" and after["max_route_minutes"] == 480
    assert after["plate"] is None

    async with sessionmaker() as session:
        audits = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == body["id"]).order_by(AuditEvent.at)
            )
        ).all()
        outbox = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == body["id"]))
        ).all()
    assert [a.action for a in audits] == ["created", "updated"]
    assert audits[1].before["shift_end"] == "18:00" and audits[1].after["shift_end"] == "20:30"
    assert sorted(e.event_type for e in outbox) == ["vehicle.created", "vehicle.updated"]


async def test_defaults(client, auth, depots) -> None:
    response = await client.post(
        VEHICLES,
        json={
            "code": "MINI",
            "name": "Mini van",
            "depot": "HZ",
            "capacity_kg": "500",
            "capacity_m3": "3",
            "shift_start": "09:00",
            "shift_end": "17:00",
            "currency": "CNY",
        },
        headers=await auth.as_role("admin"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["goods_classes"] == ["general"]
    assert body["fixed_cost"] == "0.00" and body["cost_per_hour"] == "0.00"
    assert body["plate"] is None and body["driver_name"] is None and body["active"] is True


async def test_list_pages_and_filters(client, auth, depots) -> None:
    headers = await auth.as_role("admin")
    for code, depot, active in [
        ("V1", "SH", True),
        ("V2", "HZ", True),
        ("V3", "SH", False),
        ("V4", "SH", True),
    ]:
        response = await client.post(
            VEHICLES, json=vehicle_body(code, depot=depot, active=active), headers=headers
        )
        assert response.status_code == 201, response.text
    viewer = await auth.as_role("viewer")
    first = (await client.get(f"{VEHICLES}?limit=2", headers=viewer)).json()
    assert [v["code"] for v in first["items"]] == ["V1", "V2"]
    second = (
        await client.get(f"{VEHICLES}?limit=2&cursor={first['next_cursor']}", headers=viewer)
    ).json()
    assert [v["code"] for v in second["items"]] == ["V3", "V4"] and second["next_cursor"] is None
    at_sh = (await client.get(f"{VEHICLES}?depot=SH", headers=viewer)).json()
    assert [v["code"] for v in at_sh["items"]] == ["V1", "V3", "V4"]
    assert {v["depot"] for v in at_sh["items"]} == {"SH"}
    active_sh = (await client.get(f"{VEHICLES}?depot=SH&active=true", headers=viewer)).json()
    assert [v["code"] for v in active_sh["items"]] == ["V1", "V4"]
    inactive = (await client.get(f"{VEHICLES}?active=false", headers=viewer)).json()
    assert [v["code"] for v in inactive["items"]] == ["V3"]
    unknown = await client.get(f"{VEHICLES}?depot=NOPE", headers=viewer)
    assert_problem(unknown, 422, code="unknown_reference", field="depot")


async def test_stale_if_match_is_412_and_changes_nothing(client, auth, depots) -> None:
    headers = await auth.as_role("admin")
    vid = (await client.post(VEHICLES, json=vehicle_body("ST"), headers=headers)).json()["id"]
    first = await client.patch(
        f"{VEHICLES}/{vid}", json={"name": "One"}, headers={**headers, "If-Match": '"1"'}
    )
    assert first.status_code == 200, first.text
    stale = await client.patch(
        f"{VEHICLES}/{vid}", json={"name": "Two"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, code="stale_version")
    assert (await client.get(f"{VEHICLES}/{vid}", headers=headers)).json()["name"] == "One"
    missing = await client.patch(f"{VEHICLES}/{vid}", json={"name": "Three"}, headers=headers)
    assert_problem(missing, 428, code="precondition_required")


async def test_unknown_vehicle_is_404(client, auth) -> None:
    response = await client.get(
        f"{VEHICLES}/00000000-0000-0000-0000-000000000000", headers=await auth.as_role("viewer")
    )
    assert_problem(response, 404, code="not_found")


async def test_viewer_and_sales_cannot_write_and_nothing_is_written(
    client, auth, depots, sessionmaker
) -> None:
    for role in ("viewer", "sales"):
        response = await client.post(
            VEHICLES, json=vehicle_body("NO"), headers=await auth.as_role(role)
        )
        assert_problem(response, 403, code="permission_denied")
    assert await count_vehicles(sessionmaker) == 0
    vid = (
        await client.post(VEHICLES, json=vehicle_body("YES"), headers=await auth.as_role("admin"))
    ).json()["id"]
    refused = await client.patch(
        f"{VEHICLES}/{vid}",
        json={"name": "x"},
        headers={**await auth.as_role("viewer"), "If-Match": '"1"'},
    )
    assert_problem(refused, 403, code="permission_denied")
    assert_problem(await client.get(VEHICLES), 401)


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"capacity_kg": "0"}, "body.capacity_kg", "greater_than"),
        ({"capacity_m3": "0"}, "body.capacity_m3", "greater_than"),
        ({"shift_start": "18:00", "shift_end": "08:00"}, "shift_end", "after_start"),
        ({"shift_end": "08:00"}, "shift_end", "after_start"),
        ({"shift_end": "25:00"}, "body.shift_end", "string_pattern_mismatch"),
        ({"max_route_minutes": 601}, "max_route_minutes", "within_shift"),
        ({"max_route_minutes": 0}, "body.max_route_minutes", "greater_than"),
        ({"cost_per_km": "-1"}, "body.cost_per_km", "greater_than_equal"),
        ({"goods_classes": ["general", "livestock"]}, "body.goods_classes.1", "enum"),
        ({"goods_classes": []}, "body.goods_classes", "too_short"),
        ({"currency": "XYZ"}, "body.currency", "iso_4217"),
        ({"depot": "NOPE"}, "depot", "exists"),
        ({"depot": "OLD"}, "depot", "active"),
    ],
)
async def test_bad_input_names_field_and_rule_and_changes_nothing(
    client, auth, depots, sessionmaker, overrides, field, rule
) -> None:
    response = await client.post(
        VEHICLES, json=vehicle_body("BAD", **overrides), headers=await auth.as_role("admin")
    )
    body = assert_problem(response, 422)
    assert (field, rule) in {(e["field"], e["rule"]) for e in body["errors"]}, body
    assert await count_vehicles(sessionmaker) == 0


async def test_duplicate_code_is_409(client, auth, depots, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    assert (await client.post(VEHICLES, json=vehicle_body("DUP"), headers=headers)).is_success
    again = await client.post(VEHICLES, json=vehicle_body("DUP", depot="HZ"), headers=headers)
    assert_problem(again, 409, code="duplicate")
    assert await count_vehicles(sessionmaker) == 1


async def test_update_is_judged_as_merged_and_changes_nothing_when_refused(
    client, auth, depots
) -> None:
    headers = await auth.as_role("admin")
    created = await client.post(
        VEHICLES, json=vehicle_body("MRG", max_route_minutes=300), headers=headers
    )
    vid = created.json()["id"]
    for changes, field, rule in [
        ({"shift_end": "07:30"}, "shift_end", "after_start"),
        ({"shift_end": "12:00"}, "max_route_minutes", "within_shift"),
        ({"depot": "OLD"}, "depot", "active"),
        ({"depot": "NOPE"}, "depot", "exists"),
        ({"capacity_kg": "0"}, "body.capacity_kg", "greater_than"),
        ({"name": None}, "body.name", "not_nullable"),
    ]:
        response = await client.patch(
            f"{VEHICLES}/{vid}", json=changes, headers={**headers, "If-Match": '"1"'}
        )
        body = assert_problem(response, 422)
        assert (field, rule) in {(e["field"], e["rule"]) for e in body["errors"]}, body
    unchanged = await client.get(f"{VEHICLES}/{vid}", headers=headers)
    assert unchanged.json() == created.json()
    assert unchanged.headers["etag"] == '"1"'
