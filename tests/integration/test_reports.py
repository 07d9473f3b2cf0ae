"""The sales and fulfilment reports against figures worked out by hand from the fixed data set
of ``report_data`` (built through the API, projected by the worker's projector), on both
engines; CSV and XLSX with Chinese headers; the roles that may read them."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

from tests.integration.report_data import build, project, sales_at

SALES = "/api/v1/reports/sales"
FULFILMENT = "/api/v1/reports/fulfilment"
MARCH_APRIL = {"from": "2026-03-01", "to": "2026-04-30"}


async def _built(client, auth, sessionmaker, settings, tag="RP"):
    data = await build(client, auth, sessionmaker, tag)
    await project(sessionmaker, settings)
    return data


async def test_sales_by_customer_and_month(client, auth, sessionmaker, settings) -> None:
    data = await _built(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    r = await client.get(SALES, headers=viewer, params={**MARCH_APRIL, "dimension": "customer"})
    assert r.status_code == 200, r.text
    body = r.json()
    a, b = data.customers["A"], data.customers["B"]
    # O1 (80) + O2 (10) for A in March; O3 (100) for B in April; O5 cancelled, O6 a draft.
    assert [(s["period"], s["key"], s["orders"], s["units"], s["net"]) for s in body["series"]] == [
        ("2026-03-01", a, 2, "6", "90.00"),
        ("2026-04-01", b, 1, "4", "100.00"),
    ]
    assert [t["key"] for t in body["totals"]] == [b, a]  # by net, best first
    # The period before: the 61 days to 2026-02-28 hold O4 (B, 50).
    assert sales_at(body, b)["previous_net"] == "50.00" and sales_at(body, b)["change"] == "1"
    assert sales_at(body, a)["previous_net"] == "0.00" and sales_at(body, a)["change"] is None
    assert sales_at(body, a)["average_order_value"] == "45.00"
    (grand,) = body["total"]
    assert (grand["currency"], grand["orders"], grand["units"], grand["net"]) == (
        "CNY",
        3,
        "10",
        "190.00",
    )
    assert grand["previous_net"] == "50.00" and grand["change"] == "2.8"
    assert body["as_of"] is not None

    top = await client.get(
        SALES,
        headers=viewer,
        params={**MARCH_APRIL, "dimension": "customer", "top": 1, "metric": "orders"},
    )
    assert [t["key"] for t in top.json()["totals"]] == [a]
    assert {s["key"] for s in top.json()["series"]} == {a}


async def test_a_range_of_part_months_by_month_adds_the_edge_days_to_the_whole_months(
    client, auth, sessionmaker, settings
) -> None:
    """2026-02-11 … 2026-04-05 by month: February's part (no order: O4 is on the 10th) and
    April's (O3 on the 5th) come from the day roll-ups, March from the month roll-up."""
    data = await _built(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    a, b = data.customers["A"], data.customers["B"]
    params = {"from": "2026-02-11", "to": "2026-04-05", "dimension": "customer"}
    body = (await client.get(SALES, headers=viewer, params=params)).json()
    assert [(s["period"], s["key"], s["orders"], s["net"]) for s in body["series"]] == [
        ("2026-03-01", a, 2, "90.00"),
        ("2026-04-01", b, 1, "100.00"),
    ]
    # The 54 days before (2025-12-19 … 2026-02-10): December's and February's parts from the
    # days, January whole: O4 (B, 50) on 2026-02-10.
    assert sales_at(body, b)["previous_net"] == "50.00"
    (grand,) = body["total"]
    assert (grand["orders"], grand["net"], grand["previous_net"]) == (3, "190.00", "50.00")


async def test_sales_by_product_day_week_and_other_dimensions(
    client, auth, sessionmaker, settings
) -> None:
    data = await _built(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    p1, p2 = data.products["P1"], data.products["P2"]
    r = await client.get(
        SALES, headers=viewer, params={**MARCH_APRIL, "dimension": "product", "group_by": "day"}
    )
    assert r.status_code == 200, r.text
    assert sorted((s["period"], s["label"], s["units"], s["net"]) for s in r.json()["series"]) == [
        ("2026-03-02", "RP-P1", "3", "30.00"),
        ("2026-03-02", "RP-P2", "2", "50.00"),
        ("2026-03-20", "RP-P1", "1", "10.00"),
        ("2026-04-05", "RP-P2", "4", "100.00"),
    ]
    assert {t["key"] for t in r.json()["totals"]} == {p1, p2}
    # ISO weeks start on Monday: 2026-03-02 is a Monday, 2026-03-20 a Friday (week of 03-16),
    # 2026-04-05 a Sunday (week of 03-30).
    r = await client.get(
        SALES, headers=viewer, params={**MARCH_APRIL, "dimension": "all", "group_by": "week"}
    )
    assert [(s["period"], s["net"]) for s in r.json()["series"]] == [
        ("2026-03-02", "80.00"),
        ("2026-03-16", "10.00"),
        ("2026-03-30", "100.00"),
    ]
    # Not whole months, grouped by month: read from the days.
    r = await client.get(
        SALES,
        headers=viewer,
        params={
            "from": "2026-03-10",
            "to": "2026-04-10",
            "group_by": "month",
            "dimension": "customer_group",
        },
    )
    assert [(s["period"], s["key"], s["net"]) for s in r.json()["series"]] == [
        ("2026-03-01", "retail", "10.00"),
        ("2026-04-01", "wholesale", "100.00"),
    ]
    for dimension, keys in {
        "city": {"上海市": "90.00", "北京市": "100.00"},
        "province": {"上海市": "90.00", "北京市": "100.00"},
        "channel": {"manual": "190.00"},
    }.items():
        r = await client.get(SALES, headers=viewer, params={**MARCH_APRIL, "dimension": dimension})
        assert {t["key"]: t["net"] for t in r.json()["totals"]} == keys, dimension
    r = await client.get(SALES, headers=viewer, params={**MARCH_APRIL, "dimension": "entered_by"})
    ((entered, net),) = [(t["key"], t["net"]) for t in r.json()["totals"]]
    assert net == "190.00" and entered.startswith("user:sales")


async def test_sales_in_a_reporting_currency(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    rate = {
        "base_currency": "CNY",
        "quote_currency": "USD",
        "rate": "0.14",
        "valid_from": "2026-01-01",
    }
    created = await client.post(
        "/api/v1/exchange-rates", headers=await auth.as_role("admin"), json=rate
    )
    assert created.status_code == 201, created.text
    r = await client.get(
        SALES, headers=await auth.as_role("viewer"), params={**MARCH_APRIL, "currency": "USD"}
    )
    assert r.status_code == 200, r.text
    (grand,) = r.json()["total"]
    assert (grand["currency"], grand["net"], grand["previous_net"]) == ("USD", "26.60", "7.00")


async def test_fulfilment_by_month_warehouse_and_carrier(
    client, auth, sessionmaker, settings
) -> None:
    await _built(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    r = await client.get(FULFILMENT, headers=viewer, params=MARCH_APRIL)
    assert r.status_code == 200, r.text
    body = r.json()
    march, april = body["series"]
    assert (march["period"], march["orders"], march["shipped"], march["otif"]) == (
        "2026-03-01",
        2,
        2,
        1,
    )
    assert march["fill_rate"] == "1" and march["otif_rate"] == "1"
    assert (april["orders"], april["in_full"], april["on_time"], april["otif_rate"]) == (
        1,
        1,
        0,
        "0",
    )
    assert april["fill_rate"] == "0"  # O3's one line was short at its first allocation
    (total,) = body["totals"]
    assert total["fill_rate"] == "0.75" and total["on_time_rate"] == "0.5"
    leads = {x["stage"]: (x["p50_hours"], x["p90_hours"]) for x in total["lead_times"]}
    assert leads == {
        "approval": (2, 3),  # O1 2 h, O2 3 h, O3 1 h
        "allocation": (1, 2),  # O1 2 h, O2 0 h, O3 1 h
        "shipment": (20, 24),  # O2 10 h, O1 20 h, O3 24 h
        "delivery": (24, 72),
        "total": (48, 98),
    }
    # Backlog now: O4 approved and reserved, months old.
    assert {b["age_days"]: (b["reserved"], b["waiting"]) for b in body["backlog"]}["31+"] == (1, 0)

    r = await client.get(FULFILMENT, headers=viewer, params={**MARCH_APRIL, "dimension": "carrier"})
    by_carrier = {t["label"]: (t["orders"], t["on_time"]) for t in r.json()["totals"]}
    assert by_carrier == {"own_fleet": (2, 1), "RPSF": (1, 0)}
    r = await client.get(
        FULFILMENT, headers=viewer, params={**MARCH_APRIL, "dimension": "warehouse"}
    )
    assert {t["label"]: t["orders"] for t in r.json()["totals"]} == {"RPW": 3}


async def test_csv_and_xlsx_with_chinese_headers(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    viewer = await auth.as_role("viewer")
    params = {**MARCH_APRIL, "dimension": "customer", "format": "csv"}
    r = await client.get(
        SALES, headers={**viewer, "Accept-Language": "zh-CN,zh;q=0.9"}, params=params
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["期间", "键", "名称", "币种", "订单数", "数量", "净销售额"]
    assert [row[2] for row in rows[1:]] == ["A Retail", "B Wholesale"]
    assert rows[1][6] == "90.0000" or Decimal(rows[1][6]) == Decimal("90")
    r = await client.get(SALES, headers=viewer, params=params)
    assert r.content.decode("utf-8-sig").splitlines()[0].startswith("period,key,label")

    r = await client.get(
        FULFILMENT,
        headers={**viewer, "Accept-Language": "zh-CN"},
        params={**MARCH_APRIL, "format": "xlsx"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(r.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "准时足量率" in strings and "期间" in strings
    assert sheet.count("<row ") == 3  # the header, March and April


async def test_who_may_read_the_reports(client, auth, sessionmaker, settings) -> None:
    for role in ("viewer", "sales", "warehouse", "finance", "sales_manager", "admin"):
        r = await client.get(SALES, headers=await auth.as_role(role), params=MARCH_APRIL)
        assert r.status_code == 200, (role, r.text)
    r = await client.get(SALES, headers=await auth.with_scopes("stock:read"), params=MARCH_APRIL)
    assert r.status_code == 403
    assert (await client.get(FULFILMENT, params=MARCH_APRIL)).status_code == 401
