"""The receivables report against figures worked out by hand from the fixed data set of
``receivables_data`` (built through the API, projected by the worker's projector), on both
engines: invoiced, collected (an unapplication taken back), credited, balances at each period's
end and DSO; opening balances of a later range; aging now in every bucket; the customer over its
limit; CSV and XLSX with Chinese headers; who may read it."""

from __future__ import annotations

import csv
import io
import zipfile

from tests.integration.receivables_data import build_receivables
from tests.integration.report_data import project

URL = "/api/v1/reports/receivables"
SPRING = {"from": "2026-03-01", "to": "2026-05-31"}


async def _built(client, auth, sessionmaker, settings, tag="AR"):
    data = await build_receivables(client, auth, sessionmaker, tag)
    await project(sessionmaker, settings)
    return data


def _figures(x):
    return (x["invoiced"], x["collected"], x["credited"], x["balance"], x["dso"])


async def test_receivables_by_customer_and_month(client, auth, sessionmaker, settings) -> None:
    data = await _built(client, auth, sessionmaker, settings)
    a, b = data.customers["A"], data.customers["B"]
    finance = await auth.as_role("finance")
    r = await client.get(URL, headers=finance, params={**SPRING, "dimension": "customer"})
    assert r.status_code == 200, r.text
    body = r.json()
    series = {(s["period"], s["key"]): _figures(s) for s in body["series"]}
    assert series == {
        # A: I1 100 + I2 50 in March, 30 collected: 120 owed; DSO 120 / 150 × 31 days.
        ("2026-03-01", a): ("150.00", "30.00", "0.00", "120.00", "24.8"),
        ("2026-04-01", a): ("0.00", "0.00", "0.00", "120.00", None),
        ("2026-05-01", a): ("0.00", "0.00", "0.00", "120.00", None),
        ("2026-03-01", b): ("0.00", "0.00", "0.00", "0.00", None),
        # B: I3 200 + I4 80 + I5 60; 120 + 40 collected, 20 credited: 160; 160 / 340 × 30.
        ("2026-04-01", b): ("340.00", "160.00", "20.00", "160.00", "14.1"),
        # The 40 on I4 taken back on 2026-05-03.
        ("2026-05-01", b): ("0.00", "-40.00", "0.00", "200.00", None),
    }
    totals = body["totals"]
    assert [t["key"] for t in totals] == [b, a]  # by balance, best first
    tb, ta = totals
    assert _figures(tb) == ("340.00", "120.00", "20.00", "200.00", "54.1")  # 200/340 × 92
    assert (tb["opening_balance"], tb["overdue"], tb["label"]) == ("0.00", "200.00", "B Wholesale")
    assert _figures(ta) == ("150.00", "30.00", "0.00", "120.00", "73.6")  # 120/150 × 92
    assert ta["overdue"] == "50.00"
    (grand,) = body["total"]
    assert (grand["currency"], *_figures(grand)) == (
        "CNY", "490.00", "150.00", "20.00", "320.00", "60.1",
    )  # fmt: skip
    assert body["as_of"] is not None and body["today"]

    aging = {x["key"]: x for x in body["aging"]}
    buckets = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90", "total")
    assert tuple(aging[a][k] for k in buckets) == (
        "70.00", "50.00", "0.00", "0.00", "0.00", "120.00",
    )  # fmt: skip
    assert tuple(aging[b][k] for k in buckets) == (
        "0.00", "0.00", "80.00", "80.00", "40.00", "200.00",
    )  # fmt: skip
    (everyone,) = body["aging_total"]
    assert tuple(everyone[k] for k in buckets) == (
        "70.00", "50.00", "80.00", "80.00", "40.00", "320.00",
    )  # fmt: skip

    (over,) = [o for o in body["over_limit"] if o["customer_id"] in (a, b)]
    assert (over["customer_id"], over["credit_limit"], over["exposure"], over["excess"]) == (
        b, "150.00", "200.00", "50.00",
    )  # fmt: skip
    assert (over["open_receivables"], over["open_orders"]) == ("200.00", "0.00")


async def test_opening_balances_groups_days_and_top(client, auth, sessionmaker, settings) -> None:
    data = await _built(client, auth, sessionmaker, settings)
    a, b = data.customers["A"], data.customers["B"]
    viewer = await auth.as_role("viewer")
    april = {"from": "2026-04-01", "to": "2026-04-30", "dimension": "customer"}
    r = await client.get(URL, headers=viewer, params=april)
    assert r.status_code == 200, r.text
    totals = {t["key"]: t for t in r.json()["totals"]}
    assert (totals[a]["opening_balance"], totals[a]["balance"]) == ("120.00", "120.00")
    assert (totals[b]["opening_balance"], totals[b]["balance"]) == ("0.00", "160.00")

    # Days of a partial month: B's balance at the end of 2026-04-20 is 340 − 120.
    days = {"from": "2026-04-01", "to": "2026-04-20", "group_by": "day", "dimension": "customer"}
    r = await client.get(URL, headers=viewer, params=days)
    points = {(s["period"], s["key"]): s for s in r.json()["series"]}
    assert points[("2026-04-20", b)]["balance"] == "220.00"
    assert points[("2026-04-20", b)]["collected"] == "120.00"
    assert points[("2026-04-02", b)]["dso"] == "1"  # 200 / 200 × 1 day
    assert points[("2026-04-01", b)]["balance"] == "0.00"

    r = await client.get(
        URL, headers=viewer, params={**SPRING, "dimension": "customer_group", "metric": "invoiced"}
    )
    assert [(t["key"], t["invoiced"]) for t in r.json()["totals"]] == [
        ("wholesale", "340.00"),
        ("retail", "150.00"),
    ]
    r = await client.get(
        URL, headers=viewer, params={**SPRING, "dimension": "customer", "metric": "dso", "top": 1}
    )
    assert [t["key"] for t in r.json()["totals"]] == [a]  # 73.6 days against B's 54.1
    assert {s["key"] for s in r.json()["series"]} == {a}
    assert [x["key"] for x in r.json()["aging"]] == [a]

    # Before any invoice: nothing in the range, and aging is what is open now all the same.
    r = await client.get(URL, headers=viewer, params={"from": "2026-01-01", "to": "2026-01-31"})
    assert (r.json()["totals"], r.json()["total"]) == ([], [])
    assert [x["total"] for x in r.json()["aging_total"]] == ["320.00"]

    r = await client.get(URL, headers=viewer, params=SPRING)  # dimension all
    assert [(s["period"], s["balance"], s["dso"]) for s in r.json()["series"]] == [
        ("2026-03-01", "120.00", "24.8"),
        ("2026-04-01", "280.00", "24.7"),  # 280 / 340 × 30
        ("2026-05-01", "320.00", None),
    ]


async def test_csv_and_xlsx_with_chinese_headers(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    finance = await auth.as_role("finance")
    params = {**SPRING, "format": "csv"}
    r = await client.get(URL, headers={**finance, "Accept-Language": "zh-CN"}, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "期间", "键", "名称", "币种", "开票金额", "回款金额", "红字冲减", "期末应收余额",
        "应收账款周转天数(DSO)",
    ]  # fmt: skip
    assert [row[0] for row in rows[1:]] == ["2026-03-01", "2026-04-01", "2026-05-01"]
    r = await client.get(URL, headers=finance, params=params)
    assert r.content.decode("utf-8-sig").splitlines()[0].startswith("period,key,label,currency")
    r = await client.get(
        URL, headers={**finance, "Accept-Language": "zh-CN"}, params={**SPRING, "format": "xlsx"}
    )
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "期末应收余额" in strings and "回款金额" in strings
    assert sheet.count("<row ") == 4  # the header and three months


async def test_who_may_read_it(client, auth) -> None:
    for role in ("finance", "admin", "viewer", "sales", "sales_manager", "warehouse"):
        r = await client.get(URL, headers=await auth.as_role(role), params=SPRING)
        assert r.status_code == 200, (role, r.text)
    r = await client.get(URL, headers=await auth.with_scopes("orders:read"), params=SPRING)
    assert r.status_code == 403
    assert (await client.get(URL, params=SPRING)).status_code == 401


async def test_in_a_reporting_currency(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    rate = {
        "base_currency": "CNY",
        "quote_currency": "USD",
        "rate": "0.5",
        "valid_from": "2026-01-01",
    }
    created = await client.post(
        "/api/v1/exchange-rates", headers=await auth.as_role("admin"), json=rate
    )
    assert created.status_code == 201, created.text
    r = await client.get(
        URL, headers=await auth.as_role("finance"), params={**SPRING, "currency": "USD"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    (grand,) = body["total"]
    assert (grand["currency"], *_figures(grand)) == (
        "USD", "245.00", "75.00", "10.00", "160.00", "60.1",
    )  # fmt: skip
    assert {s["currency"] for s in body["series"]} == {"USD"}
    (everyone,) = body["aging_total"]
    assert (everyone["currency"], everyone["total"], everyone["over_90"]) == (
        "USD",
        "160.00",
        "20.00",
    )
