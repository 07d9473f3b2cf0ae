"""Batch import: CSV (UTF-8 with or without BOM, GB18030) and JSON Lines, per-row results,
bad rows never block good ones, retries create no duplicates, size limits."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_customer, make_product
from tests.support import assert_problem

CSV = (
    "external_ref,customer_code,sku,quantity,unit_price,notes\n"
    "PO-1,ACME,W-1,2,,送货前电话联系\n"
    "PO-1,ACME,G-1,1,,送货前电话联系\n"
    "PO-2,ACME,W-1,5,,\n"
    "PO-3,ACME,NOPE,1,,\n"
    "PO-4,NOBODY,W-1,1,,\n"
    "PO-5,ACME,W-1,0,,\n"
)


@pytest.fixture
async def data(sessionmaker):
    await make_product(sessionmaker, "W-1")
    await make_product(sessionmaker, "G-1", name="小工具", list_price="25.50")
    await make_customer(sessionmaker, "ACME")


async def _import(client, headers, content: bytes, media="text/csv", **params):
    return await client.post(
        "/api/v1/orders/imports",
        content=content,
        params=params,
        headers={**headers, "Content-Type": media},
    )


async def test_csv_import_reports_each_order_and_keeps_good_ones(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    response = await _import(client, headers, CSV.encode())
    assert response.status_code == 201, response.text
    body = response.json()
    by_ref = {r["external_ref"]: r for r in body["results"]}
    assert by_ref["PO-1"]["status"] == "created" and by_ref["PO-1"]["row"] == 2
    assert by_ref["PO-2"]["status"] == "created"
    assert by_ref["PO-3"]["status"] == "error" and by_ref["PO-3"]["row"] == 5
    assert by_ref["PO-3"]["errors"][0]["field"] == "lines.0.sku"
    assert by_ref["PO-4"]["errors"][0]["field"] == "customer"
    assert by_ref["PO-5"]["errors"][0]["field"] == "lines.0.quantity"
    assert body["summary"] | {} == body["summary"]
    assert (body["summary"]["created"], body["summary"]["errors"]) == (2, 3)
    order = (
        await client.get(f"/api/v1/orders/{by_ref['PO-1']['order_id']}", headers=headers)
    ).json()
    assert [x["sku"] for x in order["lines"]] == ["W-1", "G-1"]
    assert order["notes"] == "送货前电话联系" and order["channel"] == "import"
    stored = await client.get(f"/api/v1/orders/imports/{body['summary']['id']}", headers=headers)
    assert stored.status_code == 200
    assert stored.json()["errors"] == 3 and len(stored.json()["error_details"]) == 3


async def test_retried_import_creates_no_duplicates(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    await _import(client, headers, CSV.encode())
    again = (await _import(client, headers, CSV.encode())).json()
    statuses = {r["external_ref"]: r["status"] for r in again["results"]}
    assert statuses["PO-1"] == "duplicate" and statuses["PO-2"] == "duplicate"
    listed = (await client.get("/api/v1/orders?channel=import", headers=headers)).json()
    assert len(listed["items"]) == 2


@pytest.mark.parametrize(
    ("encoded", "charset"),
    [
        (CSV.encode("utf-8-sig"), None),
        (CSV.encode("gb18030"), None),
        (CSV.encode("gbk"), "gbk"),
        (CSV.encode("gb18030"), "gb18030"),
    ],
)
async def test_bom_and_chinese_excel_encodings(client, auth, data, encoded, charset) -> None:
    headers = await auth.as_role("sales")
    params = {"charset": charset} if charset else {}
    body = (await _import(client, headers, encoded, **params)).json()
    first = next(r for r in body["results"] if r["external_ref"] == "PO-1")
    order = (await client.get(f"/api/v1/orders/{first['order_id']}", headers=headers)).json()
    assert order["notes"] == "送货前电话联系"


async def test_unreadable_encoding_is_422_and_writes_nothing(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    response = await _import(client, headers, CSV.encode("gb18030"), charset="utf-8")
    assert_problem(response, 422, code="unreadable_encoding", field="charset")
    assert (await client.get("/api/v1/orders", headers=headers)).json()["items"] == []


async def test_missing_columns_are_422(client, auth, data) -> None:
    response = await _import(client, await auth.as_role("sales"), b"external_ref,sku\nPO-1,W-1\n")
    body = assert_problem(response, 422, field="file.header")
    assert "customer_code" in body["errors"][0]["message"]
    assert "quantity" in body["errors"][0]["message"]


async def test_rows_of_an_order_must_stand_together(client, auth, data) -> None:
    content = (
        b"external_ref,customer_code,sku,quantity\n"
        b"PO-1,ACME,W-1,1\nPO-2,ACME,W-1,1\nPO-1,ACME,G-1,1\n"
    )
    body = (await _import(client, await auth.as_role("sales"), content)).json()
    assert [r["status"] for r in body["results"]] == ["created", "created", "error"]
    assert body["results"][2]["row"] == 4


async def test_json_lines_import(client, auth, data) -> None:
    lines = [
        {
            "external_ref": "J-1",
            "customer": {"code": "ACME"},
            "lines": [{"sku": "W-1", "quantity": "1"}],
        },
        {"external_ref": "J-2", "customer": {"code": "ACME"}, "lines": []},
    ]
    content = ("\n".join(json.dumps(x) for x in lines) + "\nnot json\n").encode()
    body = (
        await _import(
            client,
            await auth.as_role("sales"),
            content,
            media="application/x-ndjson",
            submit="true",
        )
    ).json()
    assert [r["status"] for r in body["results"]] == ["created", "error", "error"]
    assert body["results"][1]["errors"][0]["field"] == "lines"
    assert body["results"][2]["row"] == 3


async def test_too_many_orders_is_413_and_writes_nothing(client, auth, app, data) -> None:
    app.state.settings = app.state.settings.model_copy(update={"import_max_orders": 2})
    headers = await auth.as_role("sales")
    assert_problem(await _import(client, headers, CSV.encode()), 413, code="payload_too_large")
    assert (await client.get("/api/v1/orders", headers=headers)).json()["items"] == []


async def test_too_many_bytes_is_413(client, auth, app, data) -> None:
    app.state.settings = app.state.settings.model_copy(update={"import_max_bytes": 100})
    assert_problem(await _import(client, await auth.as_role("sales"), CSV.encode()), 413)


async def test_wrong_media_type_is_refused(client, auth, data) -> None:
    response = await _import(client, await auth.as_role("sales"), b"{}", media="application/json")
    assert_problem(response, 422, field="header.content-type")


async def test_import_needs_orders_write(client, auth, data) -> None:
    assert_problem(await _import(client, await auth.as_role("viewer"), CSV.encode()), 403)


@pytest.mark.parametrize(
    ("filename", "part_type"),
    [("orders.csv", "text/csv"), ("orders.csv", "application/octet-stream"), ("x.csv", None)],
)
async def test_csv_import_as_a_form_file_part(client, auth, data, filename, part_type) -> None:
    headers = await auth.as_role("sales")
    file = (filename, CSV.encode(), part_type) if part_type else (filename, CSV.encode())
    response = await client.post("/api/v1/orders/imports", files={"file": file}, headers=headers)
    assert response.status_code == 201, response.text
    assert (response.json()["summary"]["created"], response.json()["summary"]["errors"]) == (2, 3)


async def test_form_without_a_known_file_is_refused(client, auth, data) -> None:
    headers = await auth.as_role("sales")
    response = await client.post(
        "/api/v1/orders/imports",
        files={"file": ("orders.txt", CSV.encode(), "text/plain")},
        headers=headers,
    )
    assert_problem(response, 422, field="header.content-type")
    response = await client.post(
        "/api/v1/orders/imports", files={"other": ("a.csv", b"x")}, headers=headers
    )
    assert_problem(response, 422, field="body.file")
