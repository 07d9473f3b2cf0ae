"""Batch import (issue 11): whatever breaks one order — a NUL, a number too big, a line nested
too deeply, even a bug — is that order's error; the others are tried, and the import always
ends with its summary. An import whose process died shows as interrupted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.repositories.order_imports import OrderImport
from app.services.orders.commands import PlaceOrder
from app.services.orders.place import place_order
from tests.factories import make_customer, make_product


@pytest.fixture
async def data(sessionmaker):
    await make_product(sessionmaker, "W-1", list_price="10.00")
    await make_customer(sessionmaker, "ACME")


def _order(ref: str, **kw) -> dict:
    return {
        "external_ref": ref,
        "customer": {"code": "ACME"},
        "lines": [{"sku": "W-1", "quantity": "1"}],
    } | kw


async def _import(client, headers, content: bytes, media: str) -> dict:
    response = await client.post(
        "/api/v1/orders/imports", content=content, headers={**headers, "Content-Type": media}
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _stored(client, headers, import_id: str) -> dict:
    response = await client.get(f"/api/v1/orders/imports/{import_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_bad_json_lines_are_their_rows_errors_and_the_rest_is_imported(
    client, auth, data
) -> None:
    headers = await auth.as_role("sales")
    deep = '{"external_ref": "J-DEEP", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}"
    lines = [
        json.dumps(_order("J-NUL", notes="call\x00first")),
        json.dumps(_order("J-BIG", lines=[{"sku": "W-1", "quantity": "999999999999999"}])),
        deep,
        json.dumps(_order("J\x00REF")),
        json.dumps({"external_ref": ["not", "a", "string"]}),
        json.dumps(_order("J-OK")),
    ]
    body = await _import(client, headers, "\n".join(lines).encode(), "application/x-ndjson")
    results = body["results"]
    assert [r["status"] for r in results] == ["error"] * 5 + ["created"]
    assert results[0]["errors"] == [
        {"field": "notes", "rule": "no_nul", "message": results[0]["errors"][0]["message"]}
    ]
    assert [(e["field"], e["rule"]) for e in results[1]["errors"]] == [
        ("lines.0", "amount_too_large")
    ]
    assert results[2]["row"] == 3 and "nested too deeply" in results[2]["errors"][0]["message"]
    assert [(e["field"], e["rule"]) for e in results[3]["errors"]] == [("external_ref", "no_nul")]
    assert results[3]["external_ref"] == "J\ufffdREF"
    assert results[4]["external_ref"] is None
    summary = body["summary"]
    assert summary["status"] == "completed_with_errors" and summary["finished_at"]
    assert (summary["created"], summary["errors"]) == (1, 5)
    stored = await _stored(client, headers, summary["id"])
    assert stored["status"] == "completed_with_errors"
    assert [d["row"] for d in stored["error_details"]] == [1, 2, 3, 4, 5]


async def test_a_nul_in_a_csv_row_is_that_orders_error(client, auth, data) -> None:
    csv = (
        "external_ref,customer_code,sku,quantity,notes\n"
        "C-1,ACME,W-1,1,fine\n"
        "C-2,ACME,W-1,1,bad\x00note\n"
        "C-3,ACME,W-1,99999999999999999999,\n"
        "C-4,ACME,W-1,2,\n"
    )
    body = await _import(client, await auth.as_role("sales"), csv.encode(), "text/csv")
    by_ref = {r["external_ref"]: r for r in body["results"]}
    assert [by_ref[ref]["status"] for ref in ("C-1", "C-2", "C-3", "C-4")] == [
        "created",
        "error",
        "error",
        "created",
    ]
    assert [(e["field"], e["rule"]) for e in by_ref["C-2"]["errors"]] == [("notes", "no_nul")]
    assert by_ref["C-3"]["errors"][0]["field"] == "lines.0.quantity"
    assert body["summary"]["status"] == "completed_with_errors"


async def test_an_unexpected_failure_is_the_rows_error_and_the_import_finishes(
    app, client, auth, data, monkeypatch
) -> None:
    async def flaky(cmd, uow, ctx):
        if cmd.external_ref == "J-BUG":
            raise RuntimeError("a bug")
        return await place_order(cmd, uow, ctx)

    monkeypatch.setitem(app.state.bus.commands, PlaceOrder, flaky)
    content = "\n".join(json.dumps(_order(ref)) for ref in ("J-1", "J-BUG", "J-2")).encode()
    body = await _import(client, await auth.as_role("sales"), content, "application/x-ndjson")
    assert [r["status"] for r in body["results"]] == ["created", "error", "created"]
    assert body["results"][1]["errors"][0]["rule"] == "failed"
    assert body["summary"]["status"] == "completed_with_errors"


async def test_a_clean_import_is_completed(client, auth, data) -> None:
    content = json.dumps(_order("J-ONLY")).encode()
    body = await _import(client, await auth.as_role("sales"), content, "application/x-ndjson")
    assert body["summary"]["status"] == "completed"


async def test_an_import_that_stopped_progressing_shows_as_interrupted(
    client, auth, sessionmaker
) -> None:
    now = datetime.now(UTC)
    records = {
        "stale": OrderImport(progressed_at=now - timedelta(hours=1)),
        "alive": OrderImport(progressed_at=now - timedelta(seconds=5)),
    }
    async with sessionmaker() as session:
        for record in records.values():
            record.format, record.charset, record.channel = "jsonl", "utf-8", "import"
            record.status, record.orders_total, record.created = "running", 100, 40
            record.duplicates, record.errors, record.error_details = 0, 0, []
            record.created_by = "user:someone"
            session.add(record)
        await session.commit()
    headers = await auth.as_role("sales")
    stale = await _stored(client, headers, str(records["stale"].id))
    assert (stale["status"], stale["created"], stale["finished_at"]) == ("interrupted", 40, None)
    assert (await _stored(client, headers, str(records["alive"].id)))["status"] == "running"
