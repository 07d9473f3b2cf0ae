"""Price lists: create with items by SKU, read, replace items with If-Match, list, bad input."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.products import PriceList, PriceListItem, Product
from tests.support import assert_problem

URL = "/api/v1/price-lists"


async def add_products(sessionmaker, *skus: str, uom_precision: int = 0) -> None:
    async with sessionmaker() as session:
        for sku in skus:
            session.add(
                Product(
                    sku=sku,
                    name=f"商品 {sku}",
                    currency="CNY",
                    list_price=Decimal("10"),
                    uom_precision=uom_precision,
                    substitutes=[],
                    version=1,
                )
            )
        await session.commit()


def item(sku: str, unit_price: str = "9.50", **overrides):
    return {"sku": sku, "unit_price": unit_price, **overrides}


def list_body(code: str, *items, **overrides):
    body = {
        "code": code,
        "name": "华东经销商价格表",
        "kind": "customer",
        "currency": "CNY",
        "items": list(items),
    }
    body.update(overrides)
    return body


async def create(client, headers, code: str, *items, **overrides) -> dict:
    response = await client.post(URL, json=list_body(code, *items, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def written(sessionmaker) -> tuple[int, int, int, int]:
    """Price lists, their items, their audit events and their outbox events."""
    async with sessionmaker() as session:
        lists = await session.scalar(select(func.count()).select_from(PriceList))
        items = await session.scalar(select(func.count()).select_from(PriceListItem))
        audits = await session.scalar(
            select(func.count()).where(AuditEvent.entity_type == "price_list")
        )
        events = await session.scalar(
            select(func.count()).where(OutboxEvent.aggregate_type == "price_list")
        )
    return lists, items, audits, events


@pytest.fixture
async def products(sessionmaker) -> None:
    await add_products(sessionmaker, "SKU-A", "SKU-B")
    await add_products(sessionmaker, "CABLE", uom_precision=2)


async def test_create_get_round_trip(client: httpx.AsyncClient, auth, products) -> None:
    headers = await auth.as_role("sales_manager")
    created = await client.post(
        URL,
        json=list_body(
            "EAST",
            item("SKU-B", "8"),
            item("SKU-A", "9.5", min_quantity="100", valid_from="2026-01-01"),
            item("SKU-A", "9.99", valid_from="2026-01-01", valid_to="2026-12-31"),
            item("CABLE", "3.125", min_quantity="0.5"),
        ),
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"1"'
    body = created.json()
    assert body["name"] == "华东经销商价格表"
    assert (body["kind"], body["customer_group"], body["active"]) == ("customer", None, True)
    assert body["items"] == [
        {
            "sku": "CABLE",
            "min_quantity": "0.5",
            "unit_price": "3.125",
            "valid_from": None,
            "valid_to": None,
        },
        {
            "sku": "SKU-A",
            "min_quantity": "0",
            "unit_price": "9.99",
            "valid_from": "2026-01-01",
            "valid_to": "2026-12-31",
        },
        {
            "sku": "SKU-A",
            "min_quantity": "100",
            "unit_price": "9.50",
            "valid_from": "2026-01-01",
            "valid_to": None,
        },
        {
            "sku": "SKU-B",
            "min_quantity": "0",
            "unit_price": "8.00",
            "valid_from": None,
            "valid_to": None,
        },
    ]
    fetched = await client.get(f"{URL}/{body['id']}", headers=headers)
    assert fetched.json() == body
    assert fetched.headers["etag"] == '"1"'


async def test_a_group_list_names_its_customer_group(client, auth, products) -> None:
    body = await create(
        client, await auth.as_role("admin"), "VIP", kind="group", customer_group="vip"
    )
    assert (body["kind"], body["customer_group"], body["items"]) == ("group", "vip", [])


async def test_update_replaces_items_and_raises_the_version(client, auth, products) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "REP", item("SKU-A"), item("SKU-B"))
    url = f"{URL}/{body['id']}"

    replaced = await client.patch(
        url,
        json={"items": [item("SKU-B", "7.25", min_quantity="10")]},
        headers={**headers, "If-Match": '"1"'},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["etag"] == '"2"'
    assert [(i["sku"], i["min_quantity"], i["unit_price"]) for i in replaced.json()["items"]] == [
        ("SKU-B", "10", "7.25")
    ]
    assert (await client.get(url, headers=headers)).json() == replaced.json()

    renamed = await client.patch(
        url, json={"name": "新名称"}, headers={**headers, "If-Match": '"2"'}
    )
    assert renamed.headers["etag"] == '"3"'
    assert renamed.json()["items"] == replaced.json()["items"]

    cleared = await client.patch(url, json={"items": []}, headers={**headers, "If-Match": '"3"'})
    assert cleared.json()["items"] == [] and cleared.headers["etag"] == '"4"'


async def test_the_same_items_again_change_nothing(client, auth, sessionmaker, products) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "SAME", item("SKU-A", "9.5"))
    before = await written(sessionmaker)
    again = await client.patch(
        f"{URL}/{body['id']}",
        json={"name": body["name"], "items": [item("SKU-A", "9.5000", min_quantity="0.000")]},
        headers={**headers, "If-Match": '"1"'},
    )
    assert again.status_code == 200 and again.headers["etag"] == '"1"'
    assert await written(sessionmaker) == before


async def test_deactivate(client, auth, products) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "OFF", item("SKU-A"))
    off = await client.patch(
        f"{URL}/{body['id']}", json={"active": False}, headers={**headers, "If-Match": '"1"'}
    )
    assert off.json()["active"] is False and off.json()["items"] == body["items"]


async def test_unknown_item_sku_is_422_and_writes_nothing(
    client, auth, sessionmaker, products
) -> None:
    response = await client.post(
        URL,
        json=list_body("UNK", item("SKU-A"), item("NOPE")),
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="unknown_reference", field="items.1.sku")
    assert body["errors"][0]["rule"] == "exists"
    assert await written(sessionmaker) == (0, 0, 0, 0)


async def test_valid_from_after_valid_to_is_422(client, auth, sessionmaker, products) -> None:
    response = await client.post(
        URL,
        json=list_body("DATES", item("SKU-A", valid_from="2026-06-01", valid_to="2026-05-31")),
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="rule_violation", field="items.0.valid_to")
    assert body["errors"][0]["rule"] == "not_before_valid_from"
    assert await written(sessionmaker) == (0, 0, 0, 0)


async def test_duplicate_item_is_422(client, auth, sessionmaker, products) -> None:
    response = await client.post(
        URL,
        json=list_body(
            "TWICE",
            item("SKU-A", "9", min_quantity="10", valid_from="2026-01-01"),
            item("SKU-A", "8", min_quantity="10", valid_from="2026-02-01"),
            item("SKU-A", "7", min_quantity="10.0", valid_from="2026-01-01"),
        ),
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="rule_violation")
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [("items.2", "unique_item")]
    assert await written(sessionmaker) == (0, 0, 0, 0)


async def test_fractional_quantity_break_for_pieces_is_422(client, auth, products) -> None:
    response = await client.post(
        URL,
        json=list_body(
            "FRAC", item("SKU-A", min_quantity="2.5"), item("CABLE", min_quantity="2.5")
        ),
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="rule_violation")
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [
        ("items.0.min_quantity", "unit_precision")
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"kind": "group"}, "customer_group", "required"),
        ({"customer_group": "vip"}, "customer_group", "group_lists_only"),
    ],
)
async def test_kind_and_customer_group_go_together(
    client, auth, sessionmaker, products, overrides, field, rule
) -> None:
    response = await client.post(
        URL, json=list_body("KIND", **overrides), headers=await auth.as_role("admin")
    )
    body = assert_problem(response, 422, code="rule_violation", field=field)
    assert body["errors"][0]["rule"] == rule
    assert await written(sessionmaker) == (0, 0, 0, 0)


async def test_turning_a_list_into_a_group_list_needs_a_group(client, auth, products) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "TURN")
    url = f"{URL}/{body['id']}"
    refused = await client.patch(
        url, json={"kind": "group"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(refused, 422, field="customer_group")
    accepted = await client.patch(
        url,
        json={"kind": "group", "customer_group": "dealers"},
        headers={**headers, "If-Match": '"1"'},
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["customer_group"] == "dealers"


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"currency": "usd"}, "body.currency", "string_pattern_mismatch"),
        ({"currency": "ABC"}, "body.currency", "iso_4217"),
        ({"kind": "vip"}, "body.kind", "enum"),
        ({"code": ""}, "body.code", "string_too_short"),
        ({"active": "sometimes"}, "body.active", "bool_parsing"),
        ({"items": {"sku": "SKU-A"}}, "body.items", "list_type"),
        ({"items": [item("SKU-A", "-1")]}, "body.items.0.unit_price", "greater_than_equal"),
        ({"items": [item("SKU-A", "cheap")]}, "body.items.0.unit_price", "decimal_parsing"),
        (
            {"items": [item("SKU-A", min_quantity="-1")]},
            "body.items.0.min_quantity",
            "greater_than_equal",
        ),
        (
            {"items": [item("SKU-A", valid_from="soon")]},
            "body.items.0.valid_from",
            "date_from_datetime_parsing",
        ),
        ({"items": [{"sku": "SKU-A"}]}, "body.items.0.unit_price", "missing"),
        ({"items": [item("SKU-A", discount="5")]}, "body.items.0.discount", "extra_forbidden"),
    ],
)
async def test_invalid_input_names_field_and_rule_and_writes_nothing(
    client, auth, sessionmaker, products, overrides, field, rule
) -> None:
    response = await client.post(
        URL, json=list_body("BAD") | overrides, headers=await auth.as_role("admin")
    )
    body = assert_problem(response, 422, code="validation_error", field=field)
    assert {e["field"]: e["rule"] for e in body["errors"]}[field] == rule
    assert await written(sessionmaker) == (0, 0, 0, 0)


async def test_duplicate_code_is_409(client, auth, sessionmaker, products) -> None:
    headers = await auth.as_role("admin")
    await create(client, headers, "DUP", item("SKU-A"))
    before = await written(sessionmaker)
    again = await client.post(URL, json=list_body("DUP", item("SKU-B")), headers=headers)
    assert_problem(again, 409, code="duplicate")
    assert await written(sessionmaker) == before


async def test_bad_items_in_an_update_change_nothing(client, auth, sessionmaker, products) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "KEEP", item("SKU-A"))
    before = await written(sessionmaker)
    response = await client.patch(
        f"{URL}/{body['id']}",
        json={"name": "changed", "items": [item("SKU-B"), item("GONE")]},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(response, 422, code="unknown_reference", field="items.1.sku")
    assert await written(sessionmaker) == before
    assert (await client.get(f"{URL}/{body['id']}", headers=headers)).json() == body


async def test_items_cannot_be_nulled(client, auth, products) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "NULL", item("SKU-A"))
    response = await client.patch(
        f"{URL}/{body['id']}", json={"items": None}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 422, code="validation_error", field="body.items")


async def test_stale_if_match_is_412_and_changes_nothing(
    client, auth, sessionmaker, products
) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "STALE", item("SKU-A"))
    url = f"{URL}/{body['id']}"
    await client.patch(url, json={"name": "v2"}, headers={**headers, "If-Match": '"1"'})
    before = await written(sessionmaker)
    stale = await client.patch(
        url, json={"items": [item("SKU-B")]}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, code="stale_version")
    assert await written(sessionmaker) == before
    assert [i["sku"] for i in (await client.get(url, headers=headers)).json()["items"]] == ["SKU-A"]


async def test_update_without_if_match_is_428(client, auth, products) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "NOMATCH")
    response = await client.patch(f"{URL}/{body['id']}", json={"name": "x"}, headers=headers)
    assert_problem(response, 428, code="precondition_required")


async def test_unknown_price_list_is_404(client, auth) -> None:
    response = await client.get(f"{URL}/{uuid.uuid4()}", headers=await auth.as_role("viewer"))
    assert_problem(response, 404, code="not_found")


async def test_no_credentials_is_401(client) -> None:
    assert_problem(await client.get(URL), 401, code="not_authenticated")
    assert_problem(await client.post(URL, json=list_body("ANON")), 401)


@pytest.mark.parametrize("role", ["sales", "warehouse", "finance"])
async def test_roles_without_price_lists_write_get_403(client, auth, sessionmaker, role) -> None:
    headers = await auth.as_role(role)
    response = await client.post(URL, json=list_body("ROLE"), headers=headers)
    assert_problem(response, 403, code="permission_denied")
    assert await written(sessionmaker) == (0, 0, 0, 0)
    assert (await client.get(URL, headers=headers)).status_code == 200


async def test_list_pages_by_cursor_and_filters(client, auth, products) -> None:
    headers = await auth.as_role("admin")
    await create(client, headers, "C-EAST", item("SKU-A"), name="华东 dealers")
    await create(client, headers, "C-WEST", item("SKU-B"), name="West", active=False)
    await create(client, headers, "G-VIP", kind="group", customer_group="vip", name="VIP")
    await create(
        client, headers, "G-WHOLE", kind="group", customer_group="wholesale", name="Wholesale"
    )

    first = (await client.get(f"{URL}?limit=3", headers=headers)).json()
    assert [p["code"] for p in first["items"]] == ["C-EAST", "C-WEST", "G-VIP"]
    assert [i["sku"] for i in first["items"][0]["items"]] == ["SKU-A"]
    assert [i["sku"] for i in first["items"][1]["items"]] == ["SKU-B"]
    second = (
        await client.get(f"{URL}?limit=3&cursor={first['next_cursor']}", headers=headers)
    ).json()
    assert [p["code"] for p in second["items"]] == ["G-WHOLE"] and second["next_cursor"] is None

    async def codes(query: str) -> list[str]:
        response = await client.get(f"{URL}?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [p["code"] for p in response.json()["items"]]

    assert await codes("kind=group") == ["G-VIP", "G-WHOLE"]
    assert await codes("customer_group=vip") == ["G-VIP"]
    assert await codes("active=false") == ["C-WEST"]
    assert await codes("q=华东") == ["C-EAST"]
    assert await codes("q=c-&active=true") == ["C-EAST"]
    assert_problem(await client.get(f"{URL}?kind=vip", headers=headers), 422, field="kind")


async def test_audit_images_include_the_items(client, auth, sessionmaker, products) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "AUD", item("SKU-A", "9.5"))
    await client.patch(
        f"{URL}/{body['id']}",
        json={"items": [item("SKU-B", "7", min_quantity="5")]},
        headers={**headers, "If-Match": '"1"'},
    )
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
    assert [i["sku"] for i in audits[0].after["items"]] == ["SKU-A"]
    assert [i["sku"] for i in audits[1].before["items"]] == ["SKU-A"]
    after = audits[1].after["items"]
    assert [(i["sku"], Decimal(i["min_quantity"]), Decimal(i["unit_price"])) for i in after] == [
        ("SKU-B", Decimal(5), Decimal(7))
    ]
    assert audits[1].after["version"] == 2
    assert sorted(e.event_type for e in outbox) == ["price_list.created", "price_list.updated"]
