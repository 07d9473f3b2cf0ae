"""Delivery plans through the HTTP API, on both engines: a depot's ready own-fleet shipments
become routes with ETAs inside their windows; stops that cannot be planned say why; the
driver manifest; dispatch (start confirms the shipments, delivery closes the stop, a failed
stop re-plans the rest keeping what is done); breakdown and urgent shipments; bad input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.repositories.events import OutboxEvent
from app.repositories.uow import SqlAlchemyUnitOfWork
from tests.builders import a_customer, a_product, a_warehouse
from tests.delivery_builders import DEPOT, a_ready_shipment, a_vehicle, address
from tests.support import assert_problem

PLANS = "/api/v1/delivery-plans"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = [{"weekdays": [1, 2, 3, 4, 5, 6, 7], "start": "09:00", "end": "12:00"}]
# Stops a few kilometres around the depot.
POINTS = [
    ("31.1300", "121.4000"),
    ("31.0950", "121.3650"),
    ("31.1450", "121.3550"),
    ("31.1000", "121.4200"),
]


def day() -> date:
    """Tomorrow in Shanghai: the whole shift lies ahead of the test's clock."""
    return (datetime.now(SHANGHAI) + timedelta(days=1)).date()


@pytest.fixture
async def depot(sessionmaker):
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    hub = await a_warehouse(
        uow,
        "SH-DEPOT",
        latitude=DEPOT[0],
        longitude=DEPOT[1],
        time_zone="Asia/Shanghai",
        routing={
            "average_speed_kmh": "30",
            "traffic": [{"start": "07:00", "end": "09:30", "speed_factor": "0.6"}],
        },
    )
    customer = await a_customer(uow, contacts=[{"name": "王芳", "phone": "+86 21 5080 1234"}])
    general = await a_product(uow)
    shipments = [
        await a_ready_shipment(
            uow, customer, hub, general, ship_to=address(lat, lon, delivery_windows=MORNING)
        )
        for lat, lon in POINTS
    ]
    return {
        "uow": uow,
        "hub": hub,
        "customer": customer,
        "product": general,
        "shipments": shipments,
    }


async def plan(client, headers, **body):
    return await client.post(
        PLANS, json={"depot": "SH-DEPOT", "date": day().isoformat()} | body, headers=headers
    )


async def test_a_day_becomes_routes_inside_the_windows(client, auth, depot, sessionmaker):
    uow = depot["uow"]
    await a_vehicle(uow, depot["hub"], "V-001")
    await a_vehicle(uow, depot["hub"], "V-002")
    nowhere = await a_ready_shipment(
        uow, depot["customer"], depot["hub"], depot["product"], ship_to=address(None, None)
    )
    heavy = await a_ready_shipment(
        uow,
        depot["customer"],
        depot["hub"],
        depot["product"],
        ship_to=address("31.12", "121.39"),
        weight_kg="1500",
    )
    headers = await auth.as_role("warehouse")
    r = await plan(client, headers)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["number"].startswith("DP-") and body["revision"] == 1
    assert body["time_zone"] == "Asia/Shanghai" and body["solver"] == "pyvrp"
    planned = [s for route in body["routes"] for s in route["stops"]]
    assert sorted(s["shipment_number"] for s in planned) == sorted(
        s.number for s in depot["shipments"]
    )
    unplanned = {u["shipment_number"]: u["reason"] for u in body["unplanned"]}
    assert unplanned == {nowhere.number: "no_coordinates", heavy.number: "too_heavy"}
    for route in body["routes"]:
        assert route["planned_start"].endswith("+08:00")
        assert [s["seq"] for s in route["stops"]] == list(range(1, len(route["stops"]) + 1))
        assert route["loading_order"] == [s["shipment_number"] for s in reversed(route["stops"])]
        assert Decimal(route["load"]["weight_kg"]) == 20 * len(route["stops"])
        assert Decimal(route["cost"]) > Decimal("200")  # the fixed cost and more
        for s in route["stops"]:
            arrival = datetime.fromisoformat(s["planned_arrival"])
            start = datetime.fromisoformat(s["planned_departure"]) - timedelta(minutes=6)
            assert arrival.utcoffset() == timedelta(hours=8)
            assert datetime.fromisoformat(s["window_start"]).hour == 9
            assert start >= datetime.fromisoformat(s["window_start"]) - timedelta(seconds=1)
            assert arrival <= datetime.fromisoformat(s["window_end"])
    # Four stops in one morning window fit one vehicle: the second one's fixed cost is saved.
    assert len(body["routes"]) == 1
    assert Decimal(body["cost"]) == sum(Decimal(x["cost"]) for x in body["routes"])

    shipment = (
        await client.get(f"/api/v1/shipments/{planned[0]['shipment_id']}", headers=headers)
    ).json()
    assert shipment["promised_date"] == day().isoformat()
    assert datetime.fromisoformat(shipment["promised_at"]) == datetime.fromisoformat(
        planned[0]["planned_arrival"]
    )
    async with sessionmaker() as session:
        topics = (await session.scalars(select(OutboxEvent.event_type))).all()
    assert "delivery_plan.published" in topics

    again = await plan(client, headers)
    assert_problem(again, 409, code="plan_exists")


async def test_goods_classes_go_on_the_vehicle_that_carries_them(client, auth, depot):
    uow = depot["uow"]
    await a_vehicle(uow, depot["hub"], "V-DRY")
    await a_vehicle(uow, depot["hub"], "V-COLD", goods_classes=["general", "cold_chain"])
    frozen = await a_product(uow, goods_class="cold_chain")
    cold = await a_ready_shipment(
        uow, depot["customer"], depot["hub"], frozen, ship_to=address("31.125", "121.395")
    )
    r = await plan(client, await auth.as_role("warehouse"))
    assert r.status_code == 201, r.text
    where = {
        s["shipment_number"]: route["vehicle"]["code"]
        for route in r.json()["routes"]
        for s in route["stops"]
    }
    assert where[cold.number] == "V-COLD"


async def test_manifest_for_the_driver(client, auth, depot):
    await a_vehicle(depot["uow"], depot["hub"], "V-001")
    headers = await auth.as_role("warehouse")
    body = (await plan(client, headers)).json()
    route = body["routes"][0]
    r = await client.get(f"{PLANS}/{body['id']}/routes/{route['id']}/manifest", headers=headers)
    assert r.status_code == 200, r.text
    manifest = r.json()
    assert manifest["vehicle"]["code"] == "V-001" and manifest["driver"] == "李师傅"
    assert manifest["driver_phone"] == "+86 139 0000 0000"
    first = manifest["stops"][0]
    assert first["contact"] == {"name": "王芳", "phone": "+86 21 5080 1234"}
    assert first["packages"][0]["weight_kg"] == "20"
    assert first["goods"][0]["quantity"] == "1"
    assert first["ship_to"]["delivery_windows"][0]["start"] == "09:00"
    assert [s["shipment_number"] for s in manifest["stops"]] == [
        s["shipment_number"] for s in route["stops"]
    ]


async def test_dispatch_and_a_failed_stop_replans_keeping_what_is_done(client, auth, depot):
    await a_vehicle(depot["uow"], depot["hub"], "V-001")
    headers = await auth.as_role("warehouse")
    body = (await plan(client, headers)).json()
    plan_id, route = body["id"], body["routes"][0]
    started = await client.post(
        f"{PLANS}/{plan_id}/routes/{route['id']}/start", json={}, headers=headers
    )
    assert started.status_code == 200, started.text
    assert started.json()["routes"][0]["status"] == "started"
    first, second = route["stops"][0], route["stops"][1]
    shipment = (
        await client.get(f"/api/v1/shipments/{first['shipment_id']}", headers=headers)
    ).json()
    assert shipment["status"] == "shipped" and shipment["vehicle_plate"].startswith("沪A")

    arrived = await client.post(
        f"{PLANS}/{plan_id}/stops/{first['id']}/arrive", json={}, headers=headers
    )
    assert arrived.status_code == 200, arrived.text
    delivered = await client.post(
        f"/api/v1/shipments/{first['shipment_id']}/deliver",
        json={"receiver_name": "王芳"},
        headers=headers,
    )
    assert delivered.status_code == 200, delivered.text
    failed = await client.post(
        f"{PLANS}/{plan_id}/stops/{second['id']}/fail",
        json={"reason": "收货人不在"},
        headers=headers,
    )
    assert failed.status_code == 200, failed.text
    after = failed.json()
    assert after["revision"] == 2 and after["replans"][0]["reason"] == "stop_failed"
    stops = after["routes"][0]["stops"]
    assert [(s["id"], s["status"], s["seq"]) for s in stops[:2]] == [
        (first["id"], "delivered", 1),
        (second["id"], "failed", 2),
    ]
    assert {s["status"] for s in stops[2:]} == {"planned"} and len(stops) == 4
    assert [s["seq"] for s in stops] == [1, 2, 3, 4]
    assert after["routes"][0]["status"] == "started"
    # What is left is driven from the failed stop onwards, never before it.
    assert all(s["planned_arrival"] >= second["planned_arrival"] for s in stops[2:])

    again = await client.post(
        f"{PLANS}/{plan_id}/stops/{second['id']}/fail", json={"reason": "x"}, headers=headers
    )
    assert_problem(again, 409, code="stop_not_open")


async def test_a_route_does_not_start_with_an_unverified_shipment(client, auth, depot):
    uow = depot["uow"]
    await a_vehicle(uow, depot["hub"], "V-001")
    unscanned = await a_ready_shipment(
        uow,
        depot["customer"],
        depot["hub"],
        depot["product"],
        ship_to=address("31.12", "121.39"),
        verified=False,
    )
    headers = await auth.as_role("warehouse")
    body = (await plan(client, headers)).json()
    route = body["routes"][0]
    r = await client.post(
        f"{PLANS}/{body['id']}/routes/{route['id']}/start", json={}, headers=headers
    )
    problem = assert_problem(r, 409, code="not_verified")
    assert unscanned.number in problem["detail"]
    after = (await client.get(f"{PLANS}/{body['id']}", headers=headers)).json()
    assert after["routes"][0]["status"] == "planned"
    for s in route["stops"]:
        shipment = (
            await client.get(f"/api/v1/shipments/{s['shipment_id']}", headers=headers)
        ).json()
        assert shipment["status"] == "ready"


async def test_breakdown_and_urgent_shipment_replan(client, auth, depot):
    uow = depot["uow"]
    await a_vehicle(uow, depot["hub"], "V-001", fixed_cost=Decimal("100"))
    await a_vehicle(uow, depot["hub"], "V-002", fixed_cost=Decimal("900"))
    headers = await auth.as_role("warehouse")
    body = (await plan(client, headers)).json()
    assert [r["vehicle"]["code"] for r in body["routes"]] == ["V-001"]
    urgent = await a_ready_shipment(
        uow, depot["customer"], depot["hub"], depot["product"], ship_to=address("31.13", "121.37")
    )
    r = await client.post(
        f"{PLANS}/{body['id']}/replan", json={"reason": "urgent_shipment"}, headers=headers
    )
    assert r.status_code == 200, r.text
    numbers = [s["shipment_number"] for route in r.json()["routes"] for s in route["stops"]]
    assert urgent.number in numbers and len(numbers) == 5

    route_id = r.json()["routes"][0]["id"]
    broken = await client.post(
        f"{PLANS}/{body['id']}/replan",
        json={"reason": "vehicle_breakdown", "route_id": route_id, "note": "爆胎"},
        headers=headers,
    )
    assert broken.status_code == 200, broken.text
    routes = {x["vehicle"]["code"]: x for x in broken.json()["routes"]}
    assert routes["V-001"]["status"] == "finished" and routes["V-001"]["broken_down_at"]
    assert len(routes["V-002"]["stops"]) == 5
    again = await client.post(
        f"{PLANS}/{body['id']}/replan",
        json={"reason": "vehicle_breakdown", "route_id": route_id},
        headers=headers,
    )
    assert_problem(again, 409, code="route_finished")


async def test_bad_input(client, auth, depot, sessionmaker):
    headers = await auth.as_role("warehouse")
    assert_problem(await plan(client, headers), 422, code="rule_violation", field="depot")
    no_vehicles = (await plan(client, headers)).json()
    assert no_vehicles["errors"][0]["rule"] == "no_vehicles"
    assert_problem(await plan(client, headers, depot="NOPE"), 422, field="depot")
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    empty = await a_warehouse(uow, "EMPTY", latitude=DEPOT[0], longitude=DEPOT[1])
    await a_vehicle(uow, empty, "V-E")
    r = await plan(client, headers, depot="EMPTY")
    assert assert_problem(r, 422, field="depot")["errors"][0]["rule"] == "no_ready_shipments"
    await a_vehicle(depot["uow"], depot["hub"], "V-001")
    body = (await plan(client, headers)).json()
    r = await client.post(
        f"{PLANS}/{body['id']}/replan", json={"reason": "vehicle_breakdown"}, headers=headers
    )
    assert_problem(r, 422, field="route_id")
    r = await client.post(
        f"{PLANS}/{body['id']}/replan", json={"reason": "weather"}, headers=headers
    )
    assert_problem(r, 422, field="reason")
    viewer = await auth.as_role("viewer")
    assert_problem(await plan(client, viewer, date=(day() + timedelta(days=1)).isoformat()), 403)
    listed = await client.get(PLANS, params={"depot": "SH-DEPOT"}, headers=viewer)
    assert [p["id"] for p in listed.json()["items"]] == [body["id"]]
