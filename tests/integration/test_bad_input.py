"""Bad input is a 4xx, always (issue 11): NUL characters anywhere (422 naming the field, 404 in
a path), numbers beyond what the columns hold, over-long and oversized bodies (401 before the
body is read, 413 before it is parsed)."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select

from app.main import create_app
from app.repositories.warehouses import Warehouse
from tests.factories import make_customer, make_product, make_warehouse
from tests.support import PASSWORD, assert_problem


def _rule(body: dict, field: str) -> str:
    return next(e["rule"] for e in body["errors"] if e["field"] == field)


async def _warehouses(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Warehouse)) or 0)


# --- NUL characters -------------------------------------------------------------------------


async def test_a_nul_in_a_public_path_is_404(client) -> None:
    assert_problem(await client.get("/api/v1/track/abc%00def"), 404)
    assert_problem(
        await client.post("/api/v1/webhooks/carriers/A%00", content=b"{}"), 404, code="not_found"
    )


async def test_a_nul_in_a_form_field_is_422_naming_it(client, auth) -> None:
    await auth.user("admin", username="nul-user")
    response = await client.post(
        "/api/v1/auth/token", data={"username": "nul-user\x00", "password": PASSWORD}
    )
    body = assert_problem(response, 422, field="body.username")
    assert _rule(body, "body.username") == "no_nul"


async def test_a_nul_in_a_query_parameter_is_422_naming_it(client, auth) -> None:
    headers = await auth.as_role("admin")
    for path in ("/api/v1/warehouses", "/api/v1/orders", "/api/v1/carriers", "/api/v1/products"):
        response = await client.get(path, params={"q": "a\x00b"}, headers=headers)
        body = assert_problem(response, 422, field="query.q")
        assert _rule(body, "query.q") == "no_nul"


async def test_a_nul_in_a_json_string_is_422_naming_it_and_changes_nothing(
    client, auth, sessionmaker
) -> None:
    headers = await auth.as_role("admin")
    before = await _warehouses(sessionmaker)
    body = {"code": "NUL1", "name": "Hall\x00A", "address": {"country": "CN", "city": "a\x00"}}
    response = await client.post("/api/v1/warehouses", json=body, headers=headers)
    problem = assert_problem(response, 422, field="body.name")
    assert {e["field"] for e in problem["errors"]} == {"body.name", "body.address.city"}
    assert {e["rule"] for e in problem["errors"]} == {"no_nul"}
    assert await _warehouses(sessionmaker) == before


async def test_a_nul_in_a_protected_path_is_404(client, auth) -> None:
    headers = await auth.as_role("admin")
    assert_problem(await client.get("/api/v1/warehouses/abc%00", headers=headers), 404)


async def test_without_credentials_a_nul_in_the_query_is_422_and_in_the_body_401(client) -> None:
    # The path and the query string are checked before routing, the same for every route, so
    # the answer reveals nothing; a body is not looked at before the caller is known.
    assert_problem(await client.get("/api/v1/warehouses?q=%00"), 422, field="query.q")
    assert_problem(await client.post("/api/v1/warehouses", json={"name": "\x00"}), 401)


# --- authentication before the body, body size, line count -------------------------------


async def test_without_credentials_the_body_is_never_parsed(client) -> None:
    for content in (b"{not json", b"[" * 100_000, b"{}" + b" " * (4 * 1024 * 1024)):
        response = await client.post(
            "/api/v1/orders", content=content, headers={"Content-Type": "application/json"}
        )
        assert_problem(response, 401, code="not_authenticated")


@pytest.fixture
async def small_client(settings, sessionmaker):
    small = settings.model_copy(update={"max_body_bytes": 64 * 1024})
    app = create_app(small, sessionmaker=sessionmaker)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_a_body_over_the_limit_is_413_before_it_is_parsed(small_client, auth) -> None:
    headers = {**(await auth.as_role("admin")), "Content-Type": "application/json"}
    oversized = b"{" + b" " * (64 * 1024) + b"not even json"
    response = await small_client.post("/api/v1/warehouses", content=oversized, headers=headers)
    assert_problem(response, 413, code="payload_too_large")

    async def streamed():  # no Content-Length: the limit applies to the bytes as they come
        for _ in range(100):
            yield b" " * 1024

    response = await small_client.post("/api/v1/warehouses", content=streamed(), headers=headers)
    assert_problem(response, 413, code="payload_too_large")


async def test_a_body_within_the_limit_is_accepted(small_client, auth) -> None:
    headers = await auth.as_role("admin")
    body = {"code": "SMALL1", "name": "Small"}
    response = await small_client.post("/api/v1/warehouses", json=body, headers=headers)
    assert response.status_code == 201, response.text


async def test_too_many_order_lines_are_refused_by_the_schema(client, auth, app) -> None:
    limit = app.state.settings.order_max_lines
    schema = app.openapi()["components"]["schemas"]["OrderCreate"]["properties"]["lines"]
    assert schema["maxItems"] == limit
    lines = [{"sku": f"S-{i}", "quantity": "1"} for i in range(limit + 1)]
    body = {"channel": "manual", "customer": {"code": "X"}, "lines": lines}
    response = await client.post("/api/v1/orders", json=body, headers=await auth.as_role("sales"))
    problem = assert_problem(response, 422, field="body.lines")
    assert [e["rule"] for e in problem["errors"]] == ["too_long"]


# --- numbers beyond the columns ---------------------------------------------------------------


async def test_an_order_whose_total_overflows_is_422_naming_the_line(
    client, auth, sessionmaker
) -> None:
    await make_product(sessionmaker, "BIG-1", list_price="10.00")
    await make_product(sessionmaker, "BIG-2", list_price="1.00")
    await make_customer(sessionmaker, "BIGCUST")
    lines = [{"sku": "BIG-2", "quantity": "1"}, {"sku": "BIG-1", "quantity": "999999999999999"}]
    body = {"channel": "manual", "customer": {"code": "BIGCUST"}, "lines": lines}
    response = await client.post("/api/v1/orders", json=body, headers=await auth.as_role("sales"))
    problem = assert_problem(response, 422, field="lines.1")
    assert _rule(problem, "lines.1") == "amount_too_large"


async def test_an_order_whose_lines_fit_but_whose_sum_overflows_is_422(
    client, auth, sessionmaker
) -> None:
    await make_product(sessionmaker, "SUM-1", list_price="60000000000000.00")
    await make_product(sessionmaker, "SUM-2", list_price="60000000000000.00")
    await make_customer(sessionmaker, "SUMCUST")
    lines = [{"sku": "SUM-1", "quantity": "1"}, {"sku": "SUM-2", "quantity": "1"}]
    body = {"channel": "manual", "customer": {"code": "SUMCUST"}, "lines": lines}
    response = await client.post("/api/v1/orders", json=body, headers=await auth.as_role("sales"))
    problem = assert_problem(response, 422, field="lines")
    assert _rule(problem, "lines") == "total_too_large"


async def test_a_stock_receipt_that_would_overflow_is_422_and_changes_nothing(
    client, auth, sessionmaker
) -> None:
    await make_product(sessionmaker, "OVF-1")
    await make_warehouse(sessionmaker, "OVF-WH")
    headers = await auth.as_role("warehouse")

    def receipt(quantity: str) -> dict:
        return {"warehouse": "OVF-WH", "sku": "OVF-1", "kind": "receipt", "quantity": quantity}

    first = await client.post(
        "/api/v1/stock/movements", json=receipt("900000000000000"), headers=headers
    )
    assert first.status_code == 201, first.text
    second = await client.post(
        "/api/v1/stock/movements", json=receipt("900000000000000"), headers=headers
    )
    problem = assert_problem(second, 422, field="quantity")
    assert _rule(problem, "quantity") == "quantity_too_large"
    levels = await client.get("/api/v1/stock/levels", params={"sku": "OVF-1"}, headers=headers)
    assert [level["on_hand"] for level in levels.json()["items"]] == ["900000000000000"]


async def test_a_warehouse_priority_beyond_an_integer_is_422(client, auth) -> None:
    headers = await auth.as_role("admin")
    body = {"code": "PRIO1", "name": "Prio", "priority": 2147483648}
    response = await client.post("/api/v1/warehouses", json=body, headers=headers)
    assert _rule(assert_problem(response, 422, field="body.priority"), "body.priority") == (
        "less_than_equal"
    )
    created = await client.post(
        "/api/v1/warehouses", json={**body, "priority": 2147483647}, headers=headers
    )
    assert created.status_code == 201, created.text
    patched = await client.patch(
        f"/api/v1/warehouses/{created.json()['id']}",
        json={"priority": 2147483648},
        headers={**headers, "If-Match": '"1"'},
    )
    assert_problem(patched, 422, field="body.priority")


async def test_a_backorder_age_beyond_the_bounds_is_422(client, auth, app) -> None:
    response = await client.get(
        "/api/v1/backorders",
        params={"min_age_days": 1000000000},
        headers=await auth.as_role("admin"),
    )
    assert_problem(response, 422, field="query.min_age_days")
    params = {
        p["name"]: p["schema"]
        for p in app.openapi()["paths"]["/api/v1/backorders"]["get"]["parameters"]
    }
    assert json.dumps(params["min_age_days"]).count("maximum") == 1


async def test_the_issues_large_bodies_are_refused_early(client, auth) -> None:
    headers = await auth.as_role("sales")
    line = {"sku": "S", "quantity": "1"}
    # 4 MB of lines: past the default body limit (3 MiB), refused before parsing.
    padded = {"channel": "manual", "customer": {"code": "X"}, "lines": [line | {"sku": "S" * 30}]}
    padded["lines"] = padded["lines"] * 100_000
    response = await client.post("/api/v1/orders", json=padded, headers=headers)
    assert_problem(response, 413, code="payload_too_large")
    # 100,000 short lines within the limit: refused by the schema's line limit.
    short = {"channel": "manual", "customer": {"code": "X"}, "lines": [line] * 100_000}
    response = await client.post("/api/v1/orders", json=short, headers=headers)
    problem = assert_problem(response, 422, field="body.lines")
    assert [e["rule"] for e in problem["errors"]] == ["too_long"]
