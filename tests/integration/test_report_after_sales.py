"""The after-sales report against figures worked out by hand from the fixed data set of
``report_after_sales_data`` (built through the API, projected by the worker), on both engines:
returns, return rates, refunds and cases; a reporting currency; CSV and XLSX with Chinese
headers; bad input; who may read it."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest

from tests.integration.report_after_sales_data import build
from tests.integration.report_data import project
from tests.support import assert_problem

AFTER_SALES = "/api/v1/reports/after-sales"
MARCH_APRIL = {"from": "2026-03-01", "to": "2026-04-30"}


async def _built(client, auth, sessionmaker, settings, tag="AS"):
    data = await build(client, auth, sessionmaker, tag)
    await project(sessionmaker, settings)
    return data


async def _get(client, auth, **params: Any) -> dict[str, Any]:
    r = await client.get(
        AFTER_SALES, headers=await auth.as_role("viewer"), params={**MARCH_APRIL, **params}
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def _figures(x: dict[str, Any]) -> tuple[Any, ...]:
    refunds = {v["currency"]: v["amount"] for v in x["refund_value"]}
    return (x["returns"], x["returned_units"], x["received_units"], x["shipped_units"],
            x["return_rate"], refunds)  # fmt: skip


async def test_returns_by_month_in_all(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    body = await _get(client, auth)
    # March: R1 (P1 1 of 2 received, P2 1) and R2 (P2 1 asked, open) over S1's 6 units, R1's
    # refund 35.00 on 03-10; April: R3 (3 received) over S2's 6; R4 refused counts nothing.
    assert [(s["period"], *_figures(s)) for s in body["series"]] == [
        ("2026-03-01", 2, "3", "2", "6", "0.5", {"CNY": "35.00"}),
        ("2026-04-01", 1, "3", "3", "6", "0.5", {}),
    ]
    assert _figures(body["total"]) == (3, "6", "5", "12", "0.5", {"CNY": "35.00"})
    assert body["as_of"] is not None and body["dimension"] == "all"
    cases = {c["kind"]: c for c in body["cases"]}
    assert {k: (c["opened"], c["resolved"], c["resolve_p50_hours"], c["resolve_p90_hours"],
                c["open_now"]) for k, c in cases.items()} == {
        "complaint": (2, 2, 10, 30, 1),  # C1 30 h, C2 10 h; C4 opened in February, open
        "inquiry": (1, 0, None, None, 1),
    }  # fmt: skip


async def test_returns_by_product_reason_and_both(client, auth, sessionmaker, settings) -> None:
    data = await _built(client, auth, sessionmaker, settings)
    p1, p2 = data.products["P1"], data.products["P2"]
    body = await _get(client, auth, dimension="product")
    totals = {t["key"]: _figures(t) for t in body["totals"]}
    assert totals == {
        p1: (2, "4", "4", "10", "0.4", {"CNY": "10.00"}),  # R1 1 + R3 3 of 4 + 6 shipped
        p2: (2, "2", "1", "2", "1", {"CNY": "25.00"}),  # R1 1 + R2 1 of 2 shipped
    }
    assert [t["key"] for t in body["totals"]] == [p1, p2]  # by returned units
    assert [(s["period"], s["label"], s["shipped_units"], s["return_rate"])
            for s in body["series"]] == [
        ("2026-03-01", "AS-P1", "4", "0.25"),
        ("2026-03-01", "AS-P2", "2", "1"),
        ("2026-04-01", "AS-P1", "6", "0.5"),
    ]  # fmt: skip
    for metric, order in {"return_rate": [p2, p1], "refund_value": [p2, p1]}.items():
        ranked = await _get(client, auth, dimension="product", metric=metric)
        assert [t["key"] for t in ranked["totals"]] == order, metric
    top = await _get(client, auth, dimension="product", metric="return_rate", top=1)
    assert [t["key"] for t in top["totals"]] == [p2]
    assert {s["key"] for s in top["series"]} == {p2}

    by_reason = await _get(client, auth, dimension="reason")
    assert {t["key"]: _figures(t) for t in by_reason["totals"]} == {
        "damaged": (1, "2", "2", "12", "0.1667", {"CNY": "35.00"}),
        "wrong_item": (2, "4", "3", "12", "0.3333", {}),
    }
    both = await _get(client, auth, dimension="product_reason", metric="return_rate")
    assert [(t["key"], t["label"], t["returned_units"], t["return_rate"])
            for t in both["totals"]] == [
        (f"{p2}:damaged", "AS-P2 / damaged", "1", "0.5"),
        (f"{p2}:wrong_item", "AS-P2 / wrong_item", "1", "0.5"),
        (f"{p1}:wrong_item", "AS-P1 / wrong_item", "3", "0.3"),
        (f"{p1}:damaged", "AS-P1 / damaged", "1", "0.1"),
    ]  # fmt: skip


async def test_by_day_a_refund_alone_and_no_shipments(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    body = await _get(client, auth, group_by="day")
    assert [(s["period"], *_figures(s)) for s in body["series"]] == [
        ("2026-03-05", 1, "2", "2", "0", None, {}),
        ("2026-03-06", 1, "1", "0", "0", None, {}),
        ("2026-03-10", 0, "0", "0", "0", None, {"CNY": "35.00"}),
        ("2026-04-03", 1, "3", "3", "0", None, {}),
    ]
    # Not whole months, by month: read from the days (R1, R2 and the refund are before 03-08).
    part = await _get(client, auth, **{"from": "2026-03-08", "to": "2026-04-05"})
    assert [(s["period"], *_figures(s)) for s in part["series"]] == [
        ("2026-03-01", 0, "0", "0", "0", None, {"CNY": "35.00"}),
        ("2026-04-01", 1, "3", "3", "6", "0.5", {}),
    ]
    assert {c["kind"]: c["opened"] for c in part["cases"]} == {"complaint": 0, "inquiry": 1}


async def test_refunds_in_a_reporting_currency(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    r = await client.get(AFTER_SALES, headers=viewer, params={**MARCH_APRIL, "currency": "EUR"})
    assert_problem(r, 422, field="currency")
    rate = {"base_currency": "CNY", "quote_currency": "USD", "rate": "0.14",
            "valid_from": "2026-01-01"}  # fmt: skip
    created = await client.post(
        "/api/v1/exchange-rates", headers=await auth.as_role("admin"), json=rate
    )
    assert created.status_code == 201, created.text
    body = await _get(client, auth, currency="USD")
    assert body["total"]["refund_value"] == [{"currency": "USD", "amount": "4.90"}]
    assert body["currency"] == "USD"


async def test_csv_and_xlsx_with_chinese_headers(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    params = {**MARCH_APRIL, "dimension": "reason", "format": "csv"}
    r = await client.get(AFTER_SALES, headers={**viewer, "Accept-Language": "zh-CN"}, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["期间", "键", "名称", "退货单数", "退货数量", "已收货数量", "发货数量",
                       "退货率", "币种", "退款金额"]  # fmt: skip
    assert [(row[0], row[1], row[3], row[8]) for row in rows[1:]] == [
        ("2026-03-01", "damaged", "1", "CNY"),
        ("2026-03-01", "wrong_item", "1", ""),
        ("2026-04-01", "wrong_item", "1", ""),
    ]
    r = await client.get(AFTER_SALES, headers=viewer, params={**params, "format": "xlsx"})
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(r.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "returned_units" in strings and "退货数量" not in strings
    assert sheet.count("<row ") == 4


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"from": "2026-03-10", "to": "2026-03-09"}, "to", "not_before_from"),
        ({"from": "2024-01-01", "to": "2026-01-02"}, "to", "max_range_days"),
        ({**MARCH_APRIL, "group_by": "quarter"}, "group_by", "one_of"),
        ({**MARCH_APRIL, "dimension": "customer"}, "dimension", "one_of"),
        ({**MARCH_APRIL, "metric": "net"}, "metric", "one_of"),
    ],
)
async def test_bad_parameters_are_named(client, auth, params, field, rule) -> None:
    r = await client.get(AFTER_SALES, headers=await auth.as_role("viewer"), params=params)
    body = assert_problem(r, 422, field=field)
    assert rule in {e["rule"] for e in body["errors"] if e["field"].endswith(field)}, body


@pytest.mark.parametrize(
    ("params", "field"),
    [({"to": "2026-03-01"}, "from"), ({**MARCH_APRIL, "top": "0"}, "top"),
     ({**MARCH_APRIL, "format": "pdf"}, "format")],
)  # fmt: skip
async def test_malformed_parameters(client, auth, params, field) -> None:
    r = await client.get(AFTER_SALES, headers=await auth.as_role("viewer"), params=params)
    assert_problem(r, 422, field=field)


async def test_who_may_read_it(client, auth) -> None:
    for role in ("viewer", "sales", "warehouse", "finance", "admin"):
        r = await client.get(AFTER_SALES, headers=await auth.as_role(role), params=MARCH_APRIL)
        assert r.status_code == 200, (role, r.text)
    r = await client.get(
        AFTER_SALES, headers=await auth.with_scopes("orders:read"), params=MARCH_APRIL
    )
    assert r.status_code == 403
    assert (await client.get(AFTER_SALES, params=MARCH_APRIL)).status_code == 401
