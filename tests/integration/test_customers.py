"""Customers: create, read, update with If-Match, list with filters and keyset pages, the
ship-to rules, price list references, permissions, and bad input that changes nothing."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.products import PriceList
from tests.support import assert_problem

URL = "/api/v1/customers"
NAME = "上海华东贸易有限公司"
STREET = "浦东新区张江路 88 号"


def address(**overrides):
    body = {
        "country": "CN",
        "region": "上海市",
        "city": "上海市",
        "district": "浦东新区",
        "postcode": "201203",
        "street": STREET,
    }
    body.update(overrides)
    return body


def customer_body(code: str, **overrides):
    body = {
        "code": code,
        "name": NAME,
        "contacts": [{"name": "王经理", "phone": "+86 21 5080 1234", "email": "wang@example.cn"}],
        "bill_to": address(),
        "ship_to": [
            {**address(), "label": "张江仓库收货点"},
            {
                **address(
                    city="苏州市", region="江苏省", district="工业园区", street="星湖街 328 号"
                )
            },
        ],
        "credit_limit": "50000",
        "currency": "CNY",
        "payment_terms_days": 60,
        "customer_group": "wholesale",
        "tags": ["vip", "华东"],
    }
    body.update(overrides)
    return body


async def create(client, headers, code: str, **overrides) -> dict:
    response = await client.post(URL, json=customer_body(code, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_price_list(sessionmaker, code: str = "PL-VIP") -> str:
    async with sessionmaker() as session:
        price_list = PriceList(code=code, name="VIP 价格表", kind="customer", currency="CNY")
        session.add(price_list)
        await session.commit()
        return str(price_list.id)


async def customer_events(sessionmaker) -> tuple[int, int]:
    """How many audit and outbox events about customers exist."""
    async with sessionmaker() as session:
        audits = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "customer")
        )
        outbox = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.aggregate_type == "customer")
        )
    return audits or 0, outbox or 0


async def assert_nothing_written(client, headers, sessionmaker) -> None:
    listed = await client.get(URL, headers=headers)
    assert listed.json()["items"] == []
    assert await customer_events(sessionmaker) == (0, 0)


async def test_create_get_update_round_trip(client: httpx.AsyncClient, auth) -> None:
    # Credit limit, terms and status are finance's (customers:credit; test_credit_authorisation).
    headers = await auth.as_role("finance")
    created = await client.post(URL, json=customer_body("C001"), headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"1"'
    body = created.json()
    assert body["credit_limit"] == "50000.00" and body["currency"] == "CNY"
    assert body["status"] == "active" and body["active"] is True
    assert body["payment_terms_days"] == 60
    assert body["price_list_id"] is None
    assert body["contacts"] == customer_body("C001")["contacts"]
    assert [s["is_default"] for s in body["ship_to"]] == [True, False]
    assert all(uuid.UUID(s["id"]) for s in body["ship_to"])
    assert body["ship_to"][0]["label"] == "张江仓库收货点"

    fetched = await client.get(f"{URL}/{body['id']}", headers=headers)
    assert fetched.json() == body
    assert fetched.headers["etag"] == '"1"'

    updated = await client.patch(
        f"{URL}/{body['id']}",
        json={"status": "on_hold", "credit_limit": "12.5", "payment_terms_days": 0},
        headers={**headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    assert updated.headers["etag"] == '"2"'
    after = updated.json()
    assert (after["status"], after["credit_limit"], after["payment_terms_days"]) == (
        "on_hold",
        "12.50",
        0,
    )
    assert after["ship_to"] == body["ship_to"] and after["version"] == 2


async def test_chinese_names_and_addresses_round_trip_exactly(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "CN-01")
    for response in [
        await client.get(f"{URL}/{body['id']}", headers=headers),
        await client.get(URL, params={"q": "华东贸易"}, headers=headers),
    ]:
        text = response.content.decode("utf-8")
        assert NAME in text and STREET in text
    fetched = (await client.get(f"{URL}/{body['id']}", headers=headers)).json()
    assert fetched["name"] == NAME
    assert fetched["bill_to"] == {**address(), "latitude": None, "longitude": None}
    assert fetched["ship_to"][1]["street"] == "星湖街 328 号"
    assert fetched["contacts"][0]["name"] == "王经理"
    assert fetched["tags"] == ["vip", "华东"]


async def test_ship_to_ids_are_kept_when_given_and_the_marked_default_wins(client, auth) -> None:
    headers = await auth.as_role("admin")
    given = str(uuid.uuid4())
    body = await create(
        client,
        headers,
        "ST-1",
        ship_to=[address(), {**address(city="杭州市"), "id": given, "is_default": True}],
    )
    assert body["ship_to"][1]["id"] == given
    assert [s["is_default"] for s in body["ship_to"]] == [False, True]
    assert body["ship_to"][0]["id"] != given


async def test_replacing_ship_tos_keeps_named_ids_and_reassigns_the_default(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "ST-2")
    first, second = body["ship_to"]
    replaced = await client.patch(
        f"{URL}/{body['id']}",
        json={"ship_to": [{**second, "is_default": False}, address(city="南京市")]},
        headers={**headers, "If-Match": '"1"'},
    )
    assert replaced.status_code == 200, replaced.text
    ship_to = replaced.json()["ship_to"]
    assert ship_to[0]["id"] == second["id"] and ship_to[0]["is_default"] is True
    assert ship_to[1]["city"] == "南京市" and ship_to[1]["id"] not in {first["id"], second["id"]}


async def test_no_ship_tos_and_minimal_body_take_defaults(client, auth) -> None:
    headers = await auth.as_role("admin")
    response = await client.post(
        URL, json={"code": "MIN", "name": "散客", "currency": "USD"}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["ship_to"] == [] and body["contacts"] == [] and body["tags"] == []
    assert body["bill_to"] is None and body["customer_group"] is None
    assert (body["credit_limit"], body["payment_terms_days"], body["status"]) == (
        "0.00",
        30,
        "active",
    )


async def test_optional_fields_are_cleared_with_null(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "CLR")
    response = await client.patch(
        f"{URL}/{body['id']}",
        json={"bill_to": None, "customer_group": None, "tags": [], "contacts": []},
        headers={**headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert (after["bill_to"], after["customer_group"], after["tags"], after["contacts"]) == (
        None,
        None,
        [],
        [],
    )
    assert after["ship_to"] == body["ship_to"]


async def test_a_known_price_list_is_accepted(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    price_list_id = await add_price_list(sessionmaker)
    body = await create(client, headers, "PL-1", price_list_id=price_list_id)
    assert body["price_list_id"] == price_list_id
    cleared = await client.patch(
        f"{URL}/{body['id']}", json={"price_list_id": None}, headers={**headers, "If-Match": '"1"'}
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["price_list_id"] is None


async def test_unknown_price_list_is_422_and_nothing_is_written(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    response = await client.post(
        URL, json=customer_body("PL-X", price_list_id=str(uuid.uuid4())), headers=headers
    )
    body = assert_problem(response, 422, code="unknown_reference", field="price_list_id")
    assert body["errors"][0]["rule"] == "exists"
    await assert_nothing_written(client, headers, sessionmaker)


async def test_unknown_price_list_on_update_is_422_and_changes_nothing(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "PL-Y")
    response = await client.patch(
        f"{URL}/{body['id']}",
        json={"price_list_id": str(uuid.uuid4()), "name": "改名"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(response, 422, code="unknown_reference", field="price_list_id")
    assert (await client.get(f"{URL}/{body['id']}", headers=headers)).json() == body


async def test_duplicate_code_is_409_and_writes_nothing_more(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    await create(client, headers, "DUP")
    again = await client.post(URL, json=customer_body("DUP", name="另一家"), headers=headers)
    assert_problem(again, 409, code="duplicate")
    listed = (await client.get(URL, headers=headers)).json()["items"]
    assert [(c["code"], c["name"]) for c in listed] == [("DUP", NAME)]
    assert await customer_events(sessionmaker) == (1, 1)


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"credit_limit": "-0.01"}, "credit_limit", "greater_than_equal"),
        ({"credit_limit": "1.23456"}, "credit_limit", "decimal_max_places"),
        ({"credit_limit": "lots"}, "credit_limit", "decimal_parsing"),
        ({"currency": "rmb"}, "currency", "string_pattern_mismatch"),
        ({"currency": "CNYY"}, "currency", "string_pattern_mismatch"),
        ({"currency": "XYZ"}, "currency", "iso_4217"),
        ({"status": "dormant"}, "status", "enum"),
        ({"payment_terms_days": -1}, "payment_terms_days", "greater_than_equal"),
        ({"payment_terms_days": "thirty"}, "payment_terms_days", "int_parsing"),
        ({"tags": "vip"}, "tags", "list_type"),
        ({"tags": ["vip", ""]}, "tags.1", "string_too_short"),
        ({"contacts": [{"name": "李", "email": "not-an-email"}]}, "contacts.0.email", None),
        ({"bill_to": {"country": "China", "city": "上海", "street": "x"}}, "bill_to.country", None),
        ({"ship_to": [{"city": "上海", "street": "x"}]}, "ship_to.0.country", "missing"),
        ({"ship_to": [{**address(), "id": "not-a-uuid"}]}, "ship_to.0.id", "uuid_parsing"),
        ({"price_list_id": "PL-VIP"}, "price_list_id", "uuid_parsing"),
        ({"active": "sometimes"}, "active", "bool_parsing"),
        ({"colour": "red"}, "colour", "extra_forbidden"),
    ],
)
async def test_bad_input_names_field_and_rule_and_writes_nothing(
    client, auth, sessionmaker, overrides, field, rule
) -> None:
    headers = await auth.as_role("admin")
    response = await client.post(URL, json=customer_body("BAD", **overrides), headers=headers)
    body = assert_problem(response, 422, code="validation_error", field=field)
    if rule is not None:
        rules = {e["field"]: e["rule"] for e in body["errors"]}
        assert rules[f"body.{field}"] == rule, body
    await assert_nothing_written(client, headers, sessionmaker)


async def test_missing_required_fields_are_each_named(client, auth) -> None:
    response = await client.post(URL, json={}, headers=await auth.as_role("admin"))
    body = assert_problem(response, 422, code="validation_error")
    missing = {e["field"] for e in body["errors"] if e["rule"] == "missing"}
    assert missing == {"body.code", "body.name", "body.currency"}


async def test_two_default_ship_tos_are_422_and_nothing_is_written(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("admin")
    two_defaults = [
        {**address(), "is_default": True},
        {**address(city="杭州市"), "is_default": True},
    ]
    response = await client.post(
        URL, json=customer_body("TWO", ship_to=two_defaults), headers=headers
    )
    body = assert_problem(response, 422, code="rule_violation", field="ship_to")
    assert body["errors"][0]["rule"] == "single_default"
    await assert_nothing_written(client, headers, sessionmaker)


async def test_two_default_ship_tos_on_update_change_nothing(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "TWO-U")
    two_defaults = [{**s, "is_default": True} for s in body["ship_to"]]
    response = await client.patch(
        f"{URL}/{body['id']}",
        json={"ship_to": two_defaults},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(response, 422, code="rule_violation", field="ship_to")
    assert (await client.get(f"{URL}/{body['id']}", headers=headers)).json() == body


async def test_repeated_ship_to_ids_are_422(client, auth) -> None:
    same = str(uuid.uuid4())
    response = await client.post(
        URL,
        json=customer_body("REP", ship_to=[{**address(), "id": same}, {**address(), "id": same}]),
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="rule_violation", field="ship_to.1.id")
    assert body["errors"][0]["rule"] == "unique"


@pytest.mark.parametrize("field", ["name", "currency", "credit_limit", "ship_to", "tags", "status"])
async def test_update_cannot_null_a_required_field(client, auth, field) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "NUL")
    response = await client.patch(
        f"{URL}/{body['id']}", json={field: None}, headers={**headers, "If-Match": '"1"'}
    )
    problem = assert_problem(response, 422, code="validation_error", field=field)
    assert problem["errors"][0]["rule"] == "not_nullable"
    assert (await client.get(f"{URL}/{body['id']}", headers=headers)).json() == body


async def test_update_refuses_bad_values_and_unknown_fields(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "UPD")
    response = await client.patch(
        f"{URL}/{body['id']}",
        json={"credit_limit": "-5", "currency": "Cny", "code": "NEW"},
        headers={**headers, "If-Match": '"1"'},
    )
    problem = assert_problem(response, 422, code="validation_error")
    rules = {e["field"]: e["rule"] for e in problem["errors"]}
    assert rules == {
        "body.credit_limit": "greater_than_equal",
        "body.currency": "string_pattern_mismatch",
        "body.code": "extra_forbidden",
    }
    assert (await client.get(f"{URL}/{body['id']}", headers=headers)).json() == body


async def test_stale_if_match_is_412_and_changes_nothing(client, auth) -> None:
    headers = await auth.as_role("admin")
    cid = (await create(client, headers, "STALE"))["id"]
    first = await client.patch(
        f"{URL}/{cid}", json={"credit_limit": "100"}, headers={**headers, "If-Match": '"1"'}
    )
    assert first.status_code == 200, first.text
    stale = await client.patch(
        f"{URL}/{cid}", json={"credit_limit": "999"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, code="stale_version")
    current = (await client.get(f"{URL}/{cid}", headers=headers)).json()
    assert (current["credit_limit"], current["version"]) == ("100.00", 2)


async def test_update_without_if_match_is_428(client, auth) -> None:
    headers = await auth.as_role("admin")
    cid = (await create(client, headers, "NOIF"))["id"]
    response = await client.patch(f"{URL}/{cid}", json={"name": "x"}, headers=headers)
    assert_problem(response, 428, code="precondition_required")
    assert (await client.get(f"{URL}/{cid}", headers=headers)).json()["name"] == NAME


async def test_unknown_customer_is_404(client, auth) -> None:
    headers = await auth.as_role("admin")
    missing = str(uuid.uuid4())
    assert_problem(await client.get(f"{URL}/{missing}", headers=headers), 404, code="not_found")
    response = await client.patch(
        f"{URL}/{missing}", json={"name": "x"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 404, code="not_found")


async def test_deactivate_with_patch_and_there_is_no_delete(client, auth) -> None:
    headers = await auth.as_role("admin")
    cid = (await create(client, headers, "OFF"))["id"]
    assert_problem(await client.delete(f"{URL}/{cid}", headers=headers), 405)
    response = await client.patch(
        f"{URL}/{cid}", json={"active": False}, headers={**headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.json()["active"] is False
    inactive = (await client.get(URL, params={"active": "false"}, headers=headers)).json()
    assert [c["code"] for c in inactive["items"]] == ["OFF"]


async def test_list_pages_by_code(client, auth) -> None:
    headers = await auth.as_role("admin")
    for code in ["C3", "C1", "C4", "C2", "C5"]:
        await create(client, headers, code)
    seen = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(URL, params=params, headers=headers)).json()
        seen.append([c["code"] for c in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [["C1", "C2"], ["C3", "C4"], ["C5"]]


async def test_list_filters(client, auth) -> None:
    headers = await auth.as_role("admin")
    await create(client, headers, "F-A", name="Acme Trading", tags=["vip", "export"])
    await create(client, headers, "F-B", name="北方物资", tags=["vip-gold"], status="on_hold")
    await create(
        client, headers, "F-C", name="Coastal 100% Cotton", tags=[], customer_group="retail"
    )
    await create(client, headers, "F-D", name="Dormant", tags=["vip"], active=False)

    async def codes(**params) -> list[str]:
        response = await client.get(URL, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [c["code"] for c in response.json()["items"]]

    assert await codes(tag="vip") == ["F-A", "F-D"]
    assert await codes(tag="vip-gold") == ["F-B"]
    assert await codes(tag="vi") == []
    assert await codes(tag="vip", active="true") == ["F-A"]
    assert await codes(status="on_hold") == ["F-B"]
    assert await codes(status="active", active="true") == ["F-A", "F-C"]
    assert await codes(customer_group="retail") == ["F-C"]
    assert await codes(customer_group="wholesale") == ["F-A", "F-B", "F-D"]
    assert await codes(q="ACME") == ["F-A"]
    assert await codes(q="f-c") == ["F-C"]
    assert await codes(q="北方") == ["F-B"]
    assert await codes(q="100%") == ["F-C"]
    assert await codes(q="%") == ["F-C"]
    assert await codes(q="_") == []
    assert await codes(tag="vip", q="dorm", active="false") == ["F-D"]


async def test_list_refuses_a_bad_status_and_a_bad_cursor(client, auth) -> None:
    headers = await auth.as_role("viewer")
    response = await client.get(URL, params={"status": "dormant"}, headers=headers)
    assert_problem(response, 422, code="validation_error", field="status")
    response = await client.get(URL, params={"cursor": "%%%"}, headers=headers)
    assert_problem(response, 422, field="cursor")


async def test_changes_write_audit_and_outbox_events(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("finance")
    cid = (await create(client, headers, "EV"))["id"]
    await client.patch(
        f"{URL}/{cid}", json={"status": "blocked"}, headers={**headers, "If-Match": '"1"'}
    )
    async with sessionmaker() as session:
        audits = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == cid).order_by(AuditEvent.at)
            )
        ).all()
        outbox = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == cid))
        ).all()
    assert [a.action for a in audits] == ["created", "updated"]
    assert audits[0].actor.startswith("user:finance")
    assert audits[0].after["name"] == NAME and Decimal(audits[0].after["credit_limit"]) == 50000
    assert (audits[1].before["status"], audits[1].after["status"]) == ("active", "blocked")
    assert sorted(e.event_type for e in outbox) == ["customer.created", "customer.updated"]


async def test_an_update_that_changes_nothing_keeps_the_version(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "SAME")
    response = await client.patch(
        f"{URL}/{body['id']}",
        json={"name": NAME, "credit_limit": "50000.00", "ship_to": body["ship_to"]},
        headers={**headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"1"'
    assert await customer_events(sessionmaker) == (1, 1)


async def test_no_credentials_is_401(client) -> None:
    assert_problem(await client.get(URL), 401, code="not_authenticated")
    assert_problem(await client.post(URL, json=customer_body("ANON")), 401)


async def test_warehouse_role_cannot_create_and_nothing_is_written(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("warehouse")
    response = await client.post(URL, json=customer_body("WH"), headers=headers)
    assert_problem(response, 403, code="permission_denied")
    await assert_nothing_written(client, headers, sessionmaker)


async def test_viewer_reads_but_cannot_update(client, auth) -> None:
    body = await create(client, await auth.as_role("finance"), "VIEW")
    viewer = await auth.as_role("viewer")
    assert (await client.get(f"{URL}/{body['id']}", headers=viewer)).status_code == 200
    response = await client.patch(
        f"{URL}/{body['id']}", json={"credit_limit": "1"}, headers={**viewer, "If-Match": '"1"'}
    )
    assert_problem(response, 403, code="permission_denied")
    assert (await client.get(f"{URL}/{body['id']}", headers=viewer)).json() == body


async def test_integration_keys_need_the_scope(client, auth) -> None:
    reader = await auth.with_scopes("customers:read")
    assert (await client.get(URL, headers=reader)).status_code == 200
    assert_problem(await client.post(URL, json=customer_body("KEY"), headers=reader), 403)
    writer = await auth.with_scopes("customers:write")
    # No key decides credit: it creates cash customers on the default terms.
    cash = customer_body("KEY", credit_limit="0", payment_terms_days=30)
    assert (await client.post(URL, json=cash, headers=writer)).status_code == 201


async def test_concurrent_creates_of_one_code_make_one_customer(pg_client, pg_auth, unique) -> None:
    """On PostgreSQL with real parallel connections: the unique code decides, losers get 409."""
    headers = await pg_auth.as_role("admin")
    code = f"RACE-{unique}"
    responses = await asyncio.gather(
        *[pg_client.post(URL, json=customer_body(code), headers=headers) for _ in range(8)]
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [
        r.text for r in responses
    ]
    for response in responses:
        if response.status_code == 409:
            assert_problem(response, 409, code="duplicate")
    listed = await pg_client.get(URL, params={"q": code}, headers=headers)
    assert [c["code"] for c in listed.json()["items"]] == [code]


async def test_shipping_preference_needs_an_existing_preferred_carrier(client, auth) -> None:
    headers = await auth.as_role("admin")
    missing = await client.post(
        "/api/v1/customers",
        json=customer_body("PREF-1", shipping_preference="preferred"),
        headers=headers,
    )
    assert_problem(missing, 422, field="preferred_carrier")
    unknown = await client.post(
        "/api/v1/customers",
        json=customer_body("PREF-1", shipping_preference="preferred", preferred_carrier="NOPE"),
        headers=headers,
    )
    assert_problem(unknown, 422, field="preferred_carrier")

    body = await create(client, headers, "PREF-1", shipping_preference="fastest")
    assert (body["shipping_preference"], body["preferred_carrier"]) == ("fastest", None)
    # Switching to "preferred" later needs the carrier too (merged with what is stored).
    switched = await client.patch(
        f"/api/v1/customers/{body['id']}",
        json={"shipping_preference": "preferred"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(switched, 422, field="preferred_carrier")
    assert (await create(client, headers, "PREF-2"))["shipping_preference"] == "cheapest"
