"""Carriers: master data with If-Match, write-only credentials, bad input, roles, selection."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from app.repositories.events import AuditEvent, OutboxEvent
from tests.support import assert_problem

SECRET = "sk_live_very-secret-ключ"


def carrier_body(code: str, **overrides):
    body = {
        "code": code,
        "name": "自营车队",
        "adapter_kind": "table_rate",
        "services": [{"code": "van", "name": "Van"}],
        "coverage": {"CN": ["上海市", "浙江省"]},
        "max_package_weight_kg": "30",
        "goods_classes": ["general", "fragile"],
        "currency": "CNY",
        "transit_days": {"local": 1, "near": 2},
        "rates": {
            "local": {"base": "10", "per_kg": "1.5"},
            "near": {"base": "15.00", "per_kg": "2"},
        },
        "surcharges": {"fragile": "5"},
        "cutoff_time": "16:00",
        "zone_rules": {"CN/上海市": "local", "default": "near"},
        "credentials": SECRET,
    }
    body.update(overrides)
    return body


async def create(client, headers, code: str, **overrides) -> dict:
    response = await client.post(
        "/api/v1/carriers", json=carrier_body(code, **overrides), headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_get_list_update_round_trip(client: httpx.AsyncClient, auth) -> None:
    headers = await auth.as_role("warehouse")
    created = await client.post("/api/v1/carriers", json=carrier_body("FLEET"), headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert created.headers["etag"] == '"1"'
    assert body["rates"] == {
        "local": {"base": "10.00", "per_kg": "1.50"},
        "near": {"base": "15.00", "per_kg": "2.00"},
    }
    assert body["surcharges"] == {"fragile": "5.00"}
    assert body["max_package_weight_kg"] == "30"
    assert body["coverage"] == {"CN": ["上海市", "浙江省"]}
    assert body["has_credentials"] is True and "credentials" not in body

    fetched = await client.get(f"/api/v1/carriers/{body['id']}", headers=headers)
    assert fetched.json() == body and fetched.headers["etag"] == '"1"'

    updated = await client.patch(
        f"/api/v1/carriers/{body['id']}",
        json={"max_package_weight_kg": "25.5", "active": False, "cutoff_time": "15:30"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.headers["etag"] == '"2"'
    assert updated.json()["active"] is False
    assert updated.json()["max_package_weight_kg"] == "25.5"
    assert updated.json()["cutoff_time"] == "15:30"

    listed = await client.get("/api/v1/carriers?active=false&q=fle", headers=headers)
    assert [c["code"] for c in listed.json()["items"]] == ["FLEET"]


async def test_credentials_are_never_returned_nor_audited(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    created = await client.post("/api/v1/carriers", json=carrier_body("SEC"), headers=headers)
    cid = created.json()["id"]
    got = await client.get(f"/api/v1/carriers/{cid}", headers=headers)
    listed = await client.get("/api/v1/carriers", headers=headers)
    new_secret = "rotated-" + SECRET
    rotated = await client.patch(
        f"/api/v1/carriers/{cid}",
        json={"credentials": new_secret},
        headers={**headers, "If-Match": '"1"'},
    )
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["etag"] == '"2"'  # a new secret is a change
    cleared = await client.patch(
        f"/api/v1/carriers/{cid}",
        json={"credentials": None},
        headers={**headers, "If-Match": '"2"'},
    )
    for response in (created, got, listed, rotated, cleared):
        assert "sk_live" not in response.text and "credentials" not in response.text.replace(
            "has_credentials", ""
        ), response.text
    assert created.json()["has_credentials"] is True
    assert listed.json()["items"][0]["has_credentials"] is True
    assert rotated.json()["has_credentials"] is True
    assert cleared.json()["has_credentials"] is False

    async with sessionmaker() as session:
        audits = (
            await session.scalars(select(AuditEvent).where(AuditEvent.entity_id == cid))
        ).all()
        events = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == cid))
        ).all()
    assert [a.action for a in audits] == ["created", "updated", "updated"]
    assert sorted(e.event_type for e in events) == [
        "carrier.created",
        "carrier.updated",
        "carrier.updated",
    ]
    stored = repr([(a.before, a.after) for a in audits]) + repr([e.payload for e in events])
    assert "sk_live" not in stored
    assert any(a.after and a.after.get("has_credentials") is True for a in audits)


async def test_stale_or_missing_if_match(client, auth) -> None:
    headers = await auth.as_role("admin")
    cid = (await create(client, headers, "V1"))["id"]
    await client.patch(
        f"/api/v1/carriers/{cid}", json={"name": "A"}, headers={**headers, "If-Match": '"1"'}
    )
    stale = await client.patch(
        f"/api/v1/carriers/{cid}", json={"name": "B"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, code="stale_version")
    missing = await client.patch(f"/api/v1/carriers/{cid}", json={"name": "B"}, headers=headers)
    assert_problem(missing, 428, code="precondition_required")
    assert (await client.get(f"/api/v1/carriers/{cid}", headers=headers)).json()["name"] == "A"


async def test_duplicate_code_is_409(client, auth) -> None:
    headers = await auth.as_role("admin")
    await create(client, headers, "DUP")
    again = await client.post("/api/v1/carriers", json=carrier_body("DUP"), headers=headers)
    assert_problem(again, 409, code="duplicate")


async def test_bad_input_is_422_naming_the_field(client, auth) -> None:
    headers = await auth.as_role("admin")
    cases = {
        "max_package_weight_kg": {"max_package_weight_kg": "-1"},
        "goods_classes.1": {"goods_classes": ["general", "radioactive"]},
        "coverage.china.[key]": {"coverage": {"china": []}},
        "cutoff_time": {"cutoff_time": "25:00"},
        "currency": {"currency": "XXY"},
    }
    for field, override in cases.items():
        response = await client.post(
            "/api/v1/carriers", json=carrier_body("BAD", **override), headers=headers
        )
        assert_problem(response, 422, field=field)


async def test_zone_rules_need_a_default_and_known_zones(client, auth) -> None:
    headers = await auth.as_role("admin")
    response = await client.post(
        "/api/v1/carriers",
        json=carrier_body("ZR", zone_rules={"CN": "far"}),
        headers=headers,
    )
    body = assert_problem(response, 422, field="zone_rules")
    assert {e["rule"] for e in body["errors"]} >= {"has_default", "priced_zone"}
    cid = (await create(client, headers, "ZR2"))["id"]
    patched = await client.patch(
        f"/api/v1/carriers/{cid}",
        json={"rates": {"local": {"base": "1", "per_kg": "0"}}},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(patched, 422, field="zone_rules.default")


async def test_update_refuses_null_for_required_fields(client, auth) -> None:
    headers = await auth.as_role("admin")
    cid = (await create(client, headers, "NUL"))["id"]
    response = await client.patch(
        f"/api/v1/carriers/{cid}", json={"coverage": None}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 422, field="coverage")
    empty = await client.patch(
        f"/api/v1/carriers/{cid}", json={"coverage": {}}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(empty, 422, field="coverage")


async def test_roles_and_credentials_are_checked(client, auth) -> None:
    sales = await auth.as_role("sales")
    refused = await client.post("/api/v1/carriers", json=carrier_body("S1"), headers=sales)
    assert_problem(refused, 403)
    assert (await client.get("/api/v1/carriers", headers=sales)).status_code == 200
    anonymous = await client.post("/api/v1/carriers", json=carrier_body("S1"))
    assert_problem(anonymous, 401)
    assert_problem(await client.get("/api/v1/carriers"), 401)
    assert_problem(await client.post("/api/v1/carriers/select", json={}), 401)


async def test_unknown_carrier_is_404(client, auth) -> None:
    response = await client.get(
        "/api/v1/carriers/00000000-0000-0000-0000-000000000000",
        headers=await auth.as_role("viewer"),
    )
    assert_problem(response, 404, code="not_found")


async def _fleet(client, headers) -> None:
    await create(client, headers, "FLEET")
    await create(
        client,
        headers,
        "EXPRESS",
        transit_days={"local": 0, "near": 1},
        rates={"local": {"base": "40", "per_kg": "1"}, "near": {"base": "45", "per_kg": "1"}},
        goods_classes=["general", "fragile", "hazardous"],
        coverage={"CN": []},
    )
    await create(
        client,
        headers,
        "TINY",
        max_package_weight_kg="1",
        rates={"local": {"base": "5", "per_kg": "1"}, "near": {"base": "5", "per_kg": "1"}},
    )
    await create(client, headers, "OLD", active=False)
    await create(client, headers, "ABROAD", coverage={"US": []})


async def test_select_explains_choices_and_exclusions(client, auth) -> None:
    await _fleet(client, await auth.as_role("admin"))
    headers = await auth.as_role("sales")
    request = {
        "destination": {"country": "CN", "region": "上海市"},
        "weight_kg": "2",
        "goods_classes": ["general", "fragile"],
        "ship_at": "2026-11-23T09:00:00",
        "preference": "cheapest",
    }
    response = await client.post("/api/v1/carriers/select", json=request, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(c["carrier_code"], c["price"], c["promised_date"]) for c in body["choices"]] == [
        ("FLEET", "18.00", "2026-11-24"),
        ("EXPRESS", "47.00", "2026-11-23"),
    ]
    assert body["choices"][0]["reason"].startswith("cheapest:")
    assert body["choices"][0]["zone"] == "local" and body["choices"][0]["currency"] == "CNY"
    assert {e["carrier_code"]: e["reason"] for e in body["exclusions"]} == {
        "ABROAD": "no_coverage",
        "OLD": "inactive",
        "TINY": "too_heavy",
    }
    assert all(e["detail"] for e in body["exclusions"])

    fastest = await client.post(
        "/api/v1/carriers/select", json={**request, "preference": "fastest"}, headers=headers
    )
    assert [c["carrier_code"] for c in fastest.json()["choices"]] == ["EXPRESS", "FLEET"]

    hazardous_by_today = {
        **request,
        "goods_classes": ["hazardous"],
        "deliver_by": "2026-11-23",
        "preference": "preferred",
        "preferred_carrier": "FLEET",
    }
    strict = await client.post("/api/v1/carriers/select", json=hazardous_by_today, headers=headers)
    assert strict.status_code == 200, strict.text
    reasons = {e["carrier_code"]: e["reason"] for e in strict.json()["exclusions"]}
    assert reasons["FLEET"] == "goods_class_refused"
    assert [c["carrier_code"] for c in strict.json()["choices"]] == ["EXPRESS"]

    late = await client.post(
        "/api/v1/carriers/select",
        json={**request, "deliver_by": "2026-11-23", "ship_at": "2026-11-23T17:00:00"},
        headers=headers,
    )
    assert late.json()["choices"] == []
    assert {e["carrier_code"]: e["reason"] for e in late.json()["exclusions"]}["FLEET"] == (
        "misses_deadline"
    )


async def test_select_with_preferred_carrier(client, auth) -> None:
    await _fleet(client, await auth.as_role("admin"))
    headers = await auth.as_role("viewer")
    request = {
        "destination": {"country": "CN", "region": "浙江省"},
        "weight_kg": "0.5",
        "preference": "preferred",
        "preferred_carrier": "EXPRESS",
    }
    response = await client.post("/api/v1/carriers/select", json=request, headers=headers)
    assert response.status_code == 200, response.text
    assert [c["carrier_code"] for c in response.json()["choices"]] == ["EXPRESS", "TINY", "FLEET"]
    assert response.json()["choices"][0]["reason"].startswith("preferred carrier:")


async def test_select_refuses_bad_requests(client, auth) -> None:
    headers = await auth.as_role("viewer")
    base = {"destination": {"country": "CN"}, "weight_kg": "1"}
    cases = [
        ({**base, "weight_kg": "-1"}, "weight_kg"),
        ({**base, "destination": {"country": "cn"}}, "country"),
        ({**base, "goods_classes": ["plutonium"]}, "goods_classes.0"),
        ({**base, "preference": "preferred"}, "preferred_carrier"),
        ({**base, "preference": "preferred", "preferred_carrier": "NOPE"}, "preferred_carrier"),
    ]
    for body, field in cases:
        response = await client.post("/api/v1/carriers/select", json=body, headers=headers)
        assert_problem(response, 422, field=field)


async def test_webhooks_only_for_carriers_whose_adapter_takes_them(client, auth) -> None:
    headers = await auth.as_role("warehouse")
    refused = await client.post(
        "/api/v1/carriers", json=carrier_body("WH1", webhooks=True), headers=headers
    )
    assert_problem(refused, 422, field="webhooks")
    assert "webhooks_unsupported" in refused.text
    fleet = await create(client, headers, "WH2")
    assert fleet["webhooks"] is False  # left out: whether the adapter takes webhooks
    changed = await client.patch(
        f"/api/v1/carriers/{fleet['id']}",
        json={"webhooks": True},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(changed, 422, field="webhooks")
    generic = await create(
        client,
        headers,
        "WH3",
        adapter_kind="generic_json",
        endpoint="http://127.0.0.1:8099",
        credentials='{"api_key": "k", "webhook_secret": "w"}',
    )
    assert generic["webhooks"] is True
    to_table = await client.patch(
        f"/api/v1/carriers/{generic['id']}",
        json={"adapter_kind": "table_rate"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(to_table, 422, field="webhooks")
    with_flag = await client.patch(
        f"/api/v1/carriers/{generic['id']}",
        json={"adapter_kind": "table_rate", "webhooks": False},
        headers={**headers, "If-Match": '"1"'},
    )
    assert with_flag.status_code == 200, with_flag.text


async def test_select_compares_prices_in_the_reporting_currency(client, auth) -> None:
    from tests.integration.test_exchange_rates import exchange_rate

    admin = await auth.as_role("admin")
    await create(client, admin, "FLEET")  # 13.00 CNY to Shanghai for 2 kg
    cheap = {"local": {"base": "1", "per_kg": "0.5"}, "near": {"base": "1", "per_kg": "0.5"}}
    await create(client, admin, "USX", currency="USD", rates=cheap)  # 2.00 USD
    await create(client, admin, "EUX", currency="EUR", rates=cheap)  # no EUR rate
    await exchange_rate(client, auth, "USD", "CNY", "7.2")
    request = {"destination": {"country": "CN", "region": "上海市"}, "weight_kg": "2"}
    response = await client.post(
        "/api/v1/carriers/select", json=request, headers=await auth.as_role("sales")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [
        (c["carrier_code"], c["price"], c["currency"], c["converted_price"])
        for c in body["choices"]
    ] == [("FLEET", "13.00", "CNY", "13"), ("USX", "2.00", "USD", "14.4")]
    assert {c["reporting_currency"] for c in body["choices"]} == {"CNY"}
    assert {e["carrier_code"]: e["reason"] for e in body["exclusions"]} == {
        "EUX": "no_exchange_rate"
    }
