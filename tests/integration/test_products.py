"""Products: create, read, update with If-Match, list with keyset pages, rules, bad input."""

from __future__ import annotations

import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from app.repositories.customers import Supplier
from app.repositories.events import AuditEvent, OutboxEvent
from app.repositories.products import Product
from tests.support import assert_problem

URL = "/api/v1/products"


def product_body(sku: str, **overrides):
    body = {
        "sku": sku,
        "name": "不锈钢六角螺栓 M8×30",
        "spec": "GB/T 5783 A2-70",
        "uom": "pcs",
        "uom_precision": 0,
        "weight_kg": "0.012",
        "length_cm": "3.00",
        "width_cm": "1.3",
        "height_cm": "1.3",
        "goods_class": "general",
        "currency": "CNY",
        "list_price": "1.20",
        "floor_price": "0.95",
        "tax_rate": "0.13",
        "reorder_point": "500",
        "reorder_quantity": "2000",
    }
    body.update(overrides)
    return body


async def create(client, headers, sku: str, **overrides) -> dict:
    response = await client.post(URL, json=product_body(sku, **overrides), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_supplier(sessionmaker, code: str = "SUP1") -> str:
    async with sessionmaker() as session:
        supplier = Supplier(code=code, name="宁波紧固件有限公司", contacts=[], version=1)
        session.add(supplier)
        await session.commit()
        return str(supplier.id)


async def written(sessionmaker) -> tuple[int, int, int]:
    """Products, product audit events and product outbox events in the database."""
    async with sessionmaker() as session:
        products = await session.scalar(select(func.count()).select_from(Product))
        audits = await session.scalar(
            select(func.count()).where(AuditEvent.entity_type == "product")
        )
        events = await session.scalar(
            select(func.count()).where(OutboxEvent.aggregate_type == "product")
        )
    return products, audits, events


async def test_create_get_update_round_trip(client: httpx.AsyncClient, auth) -> None:
    headers = await auth.as_role("sales_manager")
    created = await client.post(URL, json=product_body("BOLT-M8"), headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"1"'
    body = created.json()
    assert body["name"] == "不锈钢六角螺栓 M8×30"
    assert (body["list_price"], body["floor_price"]) == ("1.20", "0.95")
    assert (body["weight_kg"], body["length_cm"], body["width_cm"]) == ("0.012", "3", "1.3")
    assert (body["tax_rate"], body["reorder_point"]) == ("0.13", "500")
    assert body["substitutes"] == [] and body["active"] is True and body["version"] == 1

    fetched = await client.get(f"{URL}/{body['id']}", headers=headers)
    assert fetched.json() == body
    assert fetched.headers["etag"] == '"1"'

    updated = await client.patch(
        f"{URL}/{body['id']}",
        json={"name": "螺栓（停产）", "list_price": "1.5", "floor_price": None, "active": False},
        headers={**headers, "If-Match": '"1"'},
    )
    assert updated.status_code == 200, updated.text
    after = updated.json()
    assert after["name"] == "螺栓（停产）" and after["list_price"] == "1.50"
    assert after["floor_price"] is None and after["active"] is False
    assert updated.headers["etag"] == '"2"'
    assert (await client.get(f"{URL}/{body['id']}", headers=headers)).json() == after


async def test_a_change_that_alters_nothing_keeps_the_version(client, auth) -> None:
    headers = await auth.as_role("admin")
    pid = (await create(client, headers, "SAME"))["id"]
    response = await client.patch(
        f"{URL}/{pid}", json={"list_price": "1.2000"}, headers={**headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200 and response.headers["etag"] == '"1"'


async def test_supplier_and_substitutes_are_kept(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    supplier_id = await add_supplier(sessionmaker)
    await create(client, headers, "ALT-1")
    await create(client, headers, "ALT-2")
    body = await create(
        client,
        headers,
        "MAIN",
        preferred_supplier_id=supplier_id,
        substitutes=["ALT-2", "ALT-1"],
    )
    assert body["preferred_supplier_id"] == supplier_id
    assert body["substitutes"] == ["ALT-2", "ALT-1"]


async def test_fractional_units_follow_their_precision(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = await create(client, headers, "WIRE", uom="m", uom_precision=2, reorder_quantity="12.5")
    assert (body["uom"], body["uom_precision"], body["reorder_quantity"]) == ("m", 2, "12.5")


async def test_duplicate_sku_is_409_and_writes_nothing(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    await create(client, headers, "DUP")
    before = await written(sessionmaker)
    again = await client.post(URL, json=product_body("DUP", name="other"), headers=headers)
    assert_problem(again, 409, code="duplicate")
    assert await written(sessionmaker) == before


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"list_price": "-1"}, "body.list_price", "greater_than_equal"),
        ({"floor_price": "-0.01"}, "body.floor_price", "greater_than_equal"),
        ({"tax_rate": "1.5"}, "body.tax_rate", "less_than_equal"),
        ({"uom_precision": 4}, "body.uom_precision", "less_than_equal"),
        ({"weight_kg": "-0.1"}, "body.weight_kg", "greater_than_equal"),
        ({"height_cm": "-2"}, "body.height_cm", "greater_than_equal"),
        ({"reorder_point": "-5"}, "body.reorder_point", "greater_than_equal"),
        ({"goods_class": "explosive"}, "body.goods_class", "enum"),
        ({"currency": "cny"}, "body.currency", "string_pattern_mismatch"),
        ({"currency": "RMB"}, "body.currency", "iso_4217"),
        ({"sku": "has space"}, "body.sku", "string_pattern_mismatch"),
        ({"list_price": "abc"}, "body.list_price", "decimal_parsing"),
        ({"uom_precision": "two"}, "body.uom_precision", "int_parsing"),
        ({"substitutes": "ALT"}, "body.substitutes", "list_type"),
        ({"preferred_supplier_id": "nope"}, "body.preferred_supplier_id", "uuid_parsing"),
        ({"active": "maybe"}, "body.active", "bool_parsing"),
        ({"colour": "red"}, "body.colour", "extra_forbidden"),
    ],
)
async def test_invalid_input_names_field_and_rule_and_writes_nothing(
    client, auth, sessionmaker, overrides, field, rule
) -> None:
    response = await client.post(
        URL, json=product_body("BAD") | overrides, headers=await auth.as_role("admin")
    )
    body = assert_problem(response, 422, code="validation_error", field=field)
    assert {e["field"]: e["rule"] for e in body["errors"]}[field] == rule
    assert await written(sessionmaker) == (0, 0, 0)


async def test_missing_required_fields_are_named(client, auth) -> None:
    response = await client.post(URL, json={"sku": "X"}, headers=await auth.as_role("admin"))
    body = assert_problem(response, 422, code="validation_error")
    missing = {e["field"] for e in body["errors"] if e["rule"] == "missing"}
    assert missing == {"body.name", "body.currency", "body.list_price"}


async def test_unknown_supplier_is_422_unknown_reference(client, auth, sessionmaker) -> None:
    response = await client.post(
        URL,
        json=product_body("SUPX", preferred_supplier_id=str(uuid.uuid4())),
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="unknown_reference", field="preferred_supplier_id")
    assert body["errors"][0]["rule"] == "exists"
    assert await written(sessionmaker) == (0, 0, 0)


async def test_floor_above_list_price_is_422(client, auth, sessionmaker) -> None:
    response = await client.post(
        URL,
        json=product_body("FLOOR", list_price="10", floor_price="10.01"),
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="rule_violation", field="floor_price")
    assert body["errors"][0]["rule"] == "not_above_list_price"
    assert await written(sessionmaker) == (0, 0, 0)


async def test_lowering_list_price_below_the_floor_is_422(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    pid = (await create(client, headers, "LOWER"))["id"]
    before = await written(sessionmaker)
    response = await client.patch(
        f"{URL}/{pid}", json={"list_price": "0.5"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 422, code="rule_violation", field="floor_price")
    assert await written(sessionmaker) == before
    assert (await client.get(f"{URL}/{pid}", headers=headers)).json()["list_price"] == "1.20"


async def test_fractional_reorder_quantity_for_pieces_is_422(client, auth, sessionmaker) -> None:
    response = await client.post(
        URL,
        json=product_body("FRAC", reorder_point="10.5", reorder_quantity="2.25"),
        headers=await auth.as_role("admin"),
    )
    body = assert_problem(response, 422, code="rule_violation")
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {
        ("reorder_point", "unit_precision"),
        ("reorder_quantity", "unit_precision"),
    }
    assert await written(sessionmaker) == (0, 0, 0)


async def test_narrowing_the_unit_precision_is_checked_against_reorder_quantities(
    client, auth
) -> None:
    headers = await auth.as_role("admin")
    pid = (await create(client, headers, "KG", uom="kg", uom_precision=3, reorder_point="0.5"))[
        "id"
    ]
    response = await client.patch(
        f"{URL}/{pid}", json={"uom_precision": 0}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 422, field="reorder_point")


async def test_unknown_or_self_substitute_is_422(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    await create(client, headers, "ALT-1")
    before = await written(sessionmaker)
    unknown = await client.post(
        URL, json=product_body("SUBS", substitutes=["ALT-1", "NOPE"]), headers=headers
    )
    body = assert_problem(unknown, 422, code="unknown_reference", field="substitutes.1")
    assert body["errors"][0]["rule"] == "exists"
    itself = await client.post(
        URL, json=product_body("SUBS", substitutes=["SUBS", "ALT-1", "ALT-1"]), headers=headers
    )
    body = assert_problem(itself, 422, code="rule_violation")
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {
        ("substitutes.0", "not_self"),
        ("substitutes.2", "unique"),
    }
    assert await written(sessionmaker) == before


async def test_sku_cannot_change(client, auth) -> None:
    headers = await auth.as_role("admin")
    pid = (await create(client, headers, "FIXED"))["id"]
    response = await client.patch(
        f"{URL}/{pid}", json={"sku": "MOVED"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(response, 422, code="validation_error", field="body.sku")
    assert (await client.get(f"{URL}/{pid}", headers=headers)).json()["sku"] == "FIXED"


async def test_required_fields_cannot_be_nulled(client, auth) -> None:
    headers = await auth.as_role("admin")
    pid = (await create(client, headers, "NULLS"))["id"]
    response = await client.patch(
        f"{URL}/{pid}",
        json={"name": None, "list_price": None},
        headers={**headers, "If-Match": '"1"'},
    )
    body = assert_problem(response, 422, code="validation_error")
    assert {e["field"] for e in body["errors"]} == {"body.name", "body.list_price"}


async def test_stale_if_match_is_412_and_changes_nothing(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    pid = (await create(client, headers, "STALE"))["id"]
    await client.patch(f"{URL}/{pid}", json={"name": "v2"}, headers={**headers, "If-Match": '"1"'})
    before = await written(sessionmaker)
    stale = await client.patch(
        f"{URL}/{pid}", json={"name": "v3"}, headers={**headers, "If-Match": '"1"'}
    )
    assert_problem(stale, 412, code="stale_version")
    assert await written(sessionmaker) == before
    assert (await client.get(f"{URL}/{pid}", headers=headers)).json()["name"] == "v2"


async def test_update_without_if_match_is_428(client, auth) -> None:
    headers = await auth.as_role("admin")
    pid = (await create(client, headers, "NOMATCH"))["id"]
    response = await client.patch(f"{URL}/{pid}", json={"name": "x"}, headers=headers)
    assert_problem(response, 428, code="precondition_required")


async def test_unknown_product_is_404(client, auth) -> None:
    response = await client.get(f"{URL}/{uuid.uuid4()}", headers=await auth.as_role("viewer"))
    assert_problem(response, 404, code="not_found")


async def test_no_credentials_is_401(client) -> None:
    assert_problem(await client.get(URL), 401, code="not_authenticated")
    assert_problem(await client.post(URL, json=product_body("ANON")), 401)


@pytest.mark.parametrize("role", ["warehouse", "sales", "viewer"])
async def test_roles_without_products_write_get_403_and_nothing_is_written(
    client, auth, sessionmaker, role
) -> None:
    headers = await auth.as_role(role)
    response = await client.post(URL, json=product_body("ROLE"), headers=headers)
    assert_problem(response, 403, code="permission_denied")
    assert await written(sessionmaker) == (0, 0, 0)
    assert (await client.get(URL, headers=headers)).status_code == 200


async def test_list_pages_by_cursor_and_filters(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    supplier_id = await add_supplier(sessionmaker)
    await create(client, headers, "A-1", name="冷藏疫苗箱", goods_class="cold_chain")
    await create(client, headers, "A-2", name="Glass vase", goods_class="fragile")
    await create(client, headers, "A-3", name="glass jar", goods_class="fragile", active=False)
    await create(client, headers, "B-1", name="Bolt", preferred_supplier_id=supplier_id)
    await create(client, headers, "C_1", name="Under_score")

    first = (await client.get(f"{URL}?limit=2", headers=headers)).json()
    assert [p["sku"] for p in first["items"]] == ["A-1", "A-2"]
    second = (
        await client.get(f"{URL}?limit=2&cursor={first['next_cursor']}", headers=headers)
    ).json()
    assert [p["sku"] for p in second["items"]] == ["A-3", "B-1"]
    third = (
        await client.get(f"{URL}?limit=2&cursor={second['next_cursor']}", headers=headers)
    ).json()
    assert [p["sku"] for p in third["items"]] == ["C_1"] and third["next_cursor"] is None

    async def skus(query: str) -> list[str]:
        response = await client.get(f"{URL}?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [p["sku"] for p in response.json()["items"]]

    assert await skus("q=GLASS") == ["A-2", "A-3"]
    assert await skus("q=glass&active=true") == ["A-2"]
    assert await skus("q=疫苗") == ["A-1"]
    assert await skus("q=_") == ["C_1"]
    assert await skus("goods_class=fragile") == ["A-2", "A-3"]
    assert await skus(f"preferred_supplier_id={supplier_id}") == ["B-1"]
    assert await skus("active=false") == ["A-3"]
    assert_problem(
        await client.get(f"{URL}?goods_class=explosive", headers=headers), 422, field="goods_class"
    )
    assert_problem(await client.get(f"{URL}?cursor=%%%", headers=headers), 422, field="cursor")


async def test_changes_write_audit_and_outbox_events(client, auth, sessionmaker) -> None:
    headers = await auth.as_role("admin")
    pid = (await create(client, headers, "EV"))["id"]
    await client.patch(
        f"{URL}/{pid}", json={"list_price": "2.00"}, headers={**headers, "If-Match": '"1"'}
    )
    async with sessionmaker() as session:
        audits = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.entity_id == pid).order_by(AuditEvent.at)
            )
        ).all()
        outbox = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.aggregate_id == pid))
        ).all()
    assert [a.action for a in audits] == ["created", "updated"]
    assert audits[0].after["name"] == "不锈钢六角螺栓 M8×30"
    assert Decimal(audits[1].before["list_price"]) == Decimal("1.2")
    assert Decimal(audits[1].after["list_price"]) == Decimal("2")
    assert audits[1].after["version"] == 2
    assert sorted(e.event_type for e in outbox) == ["product.created", "product.updated"]


@pytest.mark.postgres_only
async def test_concurrent_creates_of_one_sku_make_one_product(pg_client, pg_auth, pg_app) -> None:
    import asyncio

    headers = await pg_auth.as_role("admin")
    sku = f"RACE-{uuid.uuid4().hex[:8]}"
    responses = await asyncio.gather(
        *(pg_client.post(URL, json=product_body(sku), headers=headers) for _ in range(8))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7, [r.text for r in responses]
    for r in responses:
        if r.status_code == 409:
            assert_problem(r, 409, code="duplicate")
    async with pg_app.state.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(Product).where(Product.sku == sku)
        )
    assert count == 1
