"""A warehouse as a depot of the own fleet: its IANA time zone and its routing document
(speed, road factor, service times, traffic periods) — stored whole, read back, validated
field by field, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.repositories.warehouses import Warehouse
from tests.support import assert_problem

WAREHOUSES = "/api/v1/warehouses"
RUSH = {"start": "07:00", "end": "09:30", "speed_factor": "0.6"}
EVENING = {"start": "17:00", "end": "19:00", "speed_factor": 0.7}


def body(code: str, **overrides) -> dict:
    return {"code": code, "name": "上海浦东仓", **overrides}


async def stored(sessionmaker, code: str) -> Warehouse:
    async with sessionmaker() as session:
        found = await session.scalar(select(Warehouse).where(Warehouse.code == code))
    assert found is not None
    return found


async def test_defaults_are_utc_and_no_routing(client, auth) -> None:
    response = await client.post(WAREHOUSES, json=body("W0"), headers=await auth.as_role("admin"))
    assert response.status_code == 201, response.text
    assert response.json()["time_zone"] == "UTC" and response.json()["routing"] is None


async def test_time_zone_and_routing_are_stored_whole_and_read_back(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("warehouse")
    response = await client.post(
        WAREHOUSES,
        json=body(
            "SH",
            time_zone="Asia/Shanghai",
            routing={"average_speed_kmh": "28.5", "traffic": [EVENING, RUSH]},
        ),
        headers=headers,
    )
    assert response.status_code == 201, response.text
    read = response.json()
    assert read["time_zone"] == "Asia/Shanghai"
    assert read["routing"] == {
        "average_speed_kmh": "28.5",
        "road_factor": "1.3",
        "service_minutes": 5,
        "service_minutes_per_package": "1",
        "traffic": [RUSH, {**EVENING, "speed_factor": "0.7"}],
    }
    row = await stored(sessionmaker, "SH")
    # The stored document: decimals as decimal text, every field, periods by start.
    assert row.routing == read["routing"]
    fetched = await client.get(f"{WAREHOUSES}/{read['id']}", headers=headers)
    assert fetched.json() == read


async def test_update_replaces_the_routing_document_and_null_clears_it(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("admin")
    created = await client.post(
        WAREHOUSES, json=body("UP", routing={"service_minutes": 8}), headers=headers
    )
    wid = created.json()["id"]
    replaced = await client.patch(
        f"{WAREHOUSES}/{wid}",
        json={"time_zone": "Asia/Urumqi", "routing": {"road_factor": "1.45", "traffic": [RUSH]}},
        headers={**headers, "If-Match": '"1"'},
    )
    assert replaced.status_code == 200, replaced.text
    routing = replaced.json()["routing"]
    assert replaced.json()["time_zone"] == "Asia/Urumqi"
    assert routing["road_factor"] == "1.45" and routing["service_minutes"] == 5
    assert routing["traffic"] == [RUSH]
    cleared = await client.patch(
        f"{WAREHOUSES}/{wid}", json={"routing": None}, headers={**headers, "If-Match": '"2"'}
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["routing"] is None
    assert (await stored(sessionmaker, "UP")).routing is None
    not_null = await client.patch(
        f"{WAREHOUSES}/{wid}", json={"time_zone": None}, headers={**headers, "If-Match": '"3"'}
    )
    assert_problem(not_null, 422, field="body.time_zone")


@pytest.mark.parametrize("name", ["Mars/Olympus", "asia/shanghai", "Asia", "localtime", "", "+08"])
async def test_unknown_time_zone_is_422_and_nothing_is_written(
    client, auth, sessionmaker, name
) -> None:
    response = await client.post(
        WAREHOUSES, json=body("TZ", time_zone=name), headers=await auth.as_role("admin")
    )
    problem = assert_problem(response, 422, code="validation_error", field="body.time_zone")
    assert {e["rule"] for e in problem["errors"]} <= {"time_zone", "string_too_short"}
    async with sessionmaker() as session:
        assert await session.scalar(select(Warehouse).where(Warehouse.code == "TZ")) is None


@pytest.mark.parametrize(
    ("routing", "field", "rule"),
    [
        ({"average_speed_kmh": "0"}, "body.routing.average_speed_kmh", "greater_than"),
        ({"average_speed_kmh": "151"}, "body.routing.average_speed_kmh", "less_than_equal"),
        ({"road_factor": "0.9"}, "body.routing.road_factor", "greater_than_equal"),
        ({"road_factor": "3.1"}, "body.routing.road_factor", "less_than_equal"),
        ({"service_minutes": -1}, "body.routing.service_minutes", "greater_than_equal"),
        ({"service_minutes": 241}, "body.routing.service_minutes", "less_than_equal"),
        (
            {"service_minutes_per_package": "-0.5"},
            "body.routing.service_minutes_per_package",
            "greater_than_equal",
        ),
        (
            {"traffic": [{**RUSH, "speed_factor": "0"}]},
            "body.routing.traffic.0.speed_factor",
            "greater_than",
        ),
        (
            {"traffic": [{**RUSH, "speed_factor": "2.5"}]},
            "body.routing.traffic.0.speed_factor",
            "less_than_equal",
        ),
        (
            {"traffic": [EVENING, {**RUSH, "end": "06:00"}]},
            "body.routing.traffic.1.end",
            "after_start",
        ),
        (
            {"traffic": [{**RUSH, "end": "07:00"}]},
            "body.routing.traffic.0.end",
            "after_start",
        ),
        (
            {"traffic": [{**RUSH, "end": "24:00"}]},
            "body.routing.traffic.0.end",
            "string_pattern_mismatch",
        ),
        (
            {"traffic": [RUSH, {"start": "09:00", "end": "10:00", "speed_factor": "0.8"}]},
            "body.routing.traffic.1.start",
            "no_overlap",
        ),
        (
            {"traffic": [{"start": "08:00", "end": "08:30", "speed_factor": "0.5"}, RUSH]},
            "body.routing.traffic.0.start",
            "no_overlap",
        ),
        ({"traffic": [], "colour": "red"}, "body.routing.colour", "extra_forbidden"),
    ],
)
async def test_bad_routing_names_the_field_and_the_rule(
    client, auth, sessionmaker, routing, field, rule
) -> None:
    response = await client.post(
        WAREHOUSES, json=body("BAD", routing=routing), headers=await auth.as_role("admin")
    )
    problem = assert_problem(response, 422, code="validation_error")
    assert (field, rule) in {(e["field"], e["rule"]) for e in problem["errors"]}, problem
    async with sessionmaker() as session:
        assert await session.scalar(select(Warehouse).where(Warehouse.code == "BAD")) is None


async def test_touching_traffic_periods_are_fine(client, auth) -> None:
    traffic = [RUSH, {"start": "09:30", "end": "10:00", "speed_factor": "0.9"}]
    response = await client.post(
        WAREHOUSES,
        json=body("OK", routing={"traffic": traffic}),
        headers=await auth.as_role("admin"),
    )
    assert response.status_code == 201, response.text
    assert [p["start"] for p in response.json()["routing"]["traffic"]] == ["07:00", "09:30"]


async def test_a_bad_update_changes_nothing(client, auth) -> None:
    headers = await auth.as_role("admin")
    created = await client.post(
        WAREHOUSES, json=body("KEEP", time_zone="Asia/Shanghai"), headers=headers
    )
    wid = created.json()["id"]
    refused = await client.patch(
        f"{WAREHOUSES}/{wid}",
        json={"name": "x", "time_zone": "Asia/Nowhere"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(refused, 422, field="body.time_zone")
    after = await client.get(f"{WAREHOUSES}/{wid}", headers=headers)
    assert after.json() == created.json() and after.headers["etag"] == '"1"'
