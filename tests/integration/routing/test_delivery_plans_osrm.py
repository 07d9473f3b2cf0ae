"""With LADING_OSRM_URL set, a plan's travel times come from OSRM's table service, asked once
per plan: a re-plan over the same places reuses the plan's matrix, and only new places make
the engine be asked again. An engine that fails is a 502 and no plan is written."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest

from tests.delivery_builders import a_ready_shipment, a_vehicle, address
from tests.integration.routing.test_delivery_plans import PLANS, depot, plan
from tests.support import assert_problem

__all__ = ["depot"]


def _table(request: httpx.Request) -> httpx.Response:
    """OSRM's table answer (docs/http.md of Project-OSRM/osrm-backend): every pair 600 s and
    5 km apart."""
    n = len(request.url.path.rsplit("/", 1)[1].split(";"))
    rows = [[0.0 if a == b else 600.0 for b in range(n)] for a in range(n)]
    dist = [[0.0 if a == b else 5000.0 for b in range(n)] for a in range(n)]
    return httpx.Response(
        200,
        json={
            "code": "Ok",
            "durations": rows,
            "distances": dist,
            "sources": [],
            "destinations": [],
        },
    )


@pytest.fixture
def osrm(app):
    calls: list[httpx.Request] = []
    answer = {"handler": _table}

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answer["handler"](request)

    settings, client = app.state.settings, app.state.carrier_client
    app.state.settings = settings.model_copy(update={"osrm_url": "http://osrm.test:5000"})
    app.state.carrier_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    try:
        yield calls, answer
    finally:
        app.state.settings, app.state.carrier_client = settings, client


async def test_the_matrix_is_asked_once_per_plan(client, auth, depot, osrm):
    calls, _ = osrm
    await a_vehicle(depot["uow"], depot["hub"], "V-001")
    headers = await auth.as_role("warehouse")
    created = await plan(client, headers)
    assert created.status_code == 201, created.text
    assert len(calls) == 1
    assert calls[0].url.path.startswith("/table/v1/driving/121.381000,31.112000;")
    assert calls[0].url.params["annotations"] == "duration,distance"
    # Every leg is the engine's 5 km, not a great-circle estimate.
    stops = created.json()["routes"][0]["stops"]
    assert all(Decimal(s["distance_km"]) == 5 for s in stops)

    plan_id = created.json()["id"]
    same = await client.post(f"{PLANS}/{plan_id}/replan", json={"reason": "other"}, headers=headers)
    assert same.status_code == 200, same.text
    assert len(calls) == 1
    await a_ready_shipment(
        depot["uow"],
        depot["customer"],
        depot["hub"],
        depot["product"],
        ship_to=address("31.2", "121.5"),
    )
    more = await client.post(
        f"{PLANS}/{plan_id}/replan", json={"reason": "urgent_shipment"}, headers=headers
    )
    assert more.status_code == 200, more.text
    assert len(calls) == 2


async def test_an_engine_that_fails_is_a_502_and_writes_nothing(client, auth, depot, osrm):
    _, answer = osrm
    answer["handler"] = lambda request: httpx.Response(
        400, content=json.dumps({"code": "InvalidQuery", "message": "bad"}).encode()
    )
    await a_vehicle(depot["uow"], depot["hub"], "V-001")
    headers = await auth.as_role("warehouse")
    assert_problem(await plan(client, headers), 502, code="routing_unavailable")
    listed = await client.get(PLANS, headers=headers)
    assert listed.json()["items"] == []
