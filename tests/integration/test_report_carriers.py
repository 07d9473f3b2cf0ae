"""The carriers report against figures worked out by hand from the fixed data set of
``report_carrier_data`` (built through the API, projected by the worker's projector), on both
engines: by carrier, service, warehouse and all, by day, week and month, ranked by each
metric, in a reporting currency; CSV and XLSX with Chinese headers; who may read it; bad
input; replaying the stream; ``lading check`` finding a tampered fact."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.repositories.report_carrier_models import ReportCarrier, ReportShipmentFact
from app.repositories.report_maintenance import PROJECTOR
from app.repositories.report_models import ReportProgress
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from app.worker.reports import project_all, rebuild
from tests.integration.report_carrier_data import build
from tests.integration.report_data import project
from tests.support import assert_problem

CARRIERS = "/api/v1/reports/carriers"
MARCH_APRIL = {"from": "2026-03-01", "to": "2026-04-30"}


async def _built(client, auth, sessionmaker, settings, tag="CR"):
    shipments = await build(client, auth, sessionmaker, tag)
    await project(sessionmaker, settings)
    return shipments


async def _get(client, auth, **params):
    r = await client.get(CARRIERS, headers=await auth.as_role("warehouse"), params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _counts(x: dict) -> tuple:
    return (
        x["label"], x["shipments"], x["delivered_with_promise"], x["on_time"],
        x["on_time_rate"], x["exceptions"], x["exception_rate"],
    )  # fmt: skip


def _costs(x: dict) -> list[tuple]:
    return [
        (c["currency"], c["costed_shipments"], c["costed_kg"], c["cost"],
         c["cost_per_shipment"], c["cost_per_kg"])
        for c in x["costs"]
    ]  # fmt: skip


async def test_by_carrier_and_month(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    body = await _get(client, auth, **MARCH_APRIL, dimension="carrier")
    # S5 never left: it counts nowhere. S3 (B) is not delivered: no on-time rate.
    assert [(s["period"], *_counts(s)) for s in body["series"]] == [
        ("2026-03-01", "CRA", 2, 2, 1, "0.5", 1, "0.5"),
        ("2026-04-01", "CRB", 1, 0, 0, None, 0, "0"),
        ("2026-04-01", "own_fleet", 1, 1, 1, "1", 0, "0"),
    ]
    a, b, own = body["totals"]  # most shipments first, then by label
    assert _costs(a) == [("CNY", 2, "6.5", "32.00", "16.00", "4.92")]
    assert _costs(b) == [("USD", 1, "1.5", "5.00", "5.00", "3.33")]
    assert own["key"] == "own_fleet" and own["costs"] == []  # no cost: shipments only
    assert uuid.UUID(a["key"]) and uuid.UUID(b["key"])
    total = body["total"]
    assert _counts(total) == ("", 4, 3, 2, "0.6667", 1, "0.25")
    assert _costs(total) == [
        ("CNY", 2, "6.5", "32.00", "16.00", "4.92"),
        ("USD", 1, "1.5", "5.00", "5.00", "3.33"),
    ]
    assert body["as_of"] is not None and body["dimension"] == "carrier"


async def test_by_service_warehouse_day_and_week(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    body = await _get(client, auth, **MARCH_APRIL, dimension="service", group_by="day")
    assert [(s["period"], s["label"], s["shipments"], s["exceptions"]) for s in body["series"]] == [
        ("2026-03-03", "CRA express", 1, 0),
        ("2026-03-08", "CRA standard", 1, 1),
        ("2026-04-01", "CRB standard", 1, 0),
        ("2026-04-01", "own_fleet", 1, 0),
    ]
    keys = {t["label"]: t["key"] for t in body["totals"]}
    assert keys["CRA express"].endswith(":express") and keys["own_fleet"] == "own_fleet:"
    # 2026-03-03 (Tue) and 03-08 (Sun) are in the week of Monday 03-02; 04-01 (Wed) of 03-30.
    body = await _get(client, auth, **MARCH_APRIL, dimension="all", group_by="week")
    assert [(s["period"], s["key"], s["shipments"]) for s in body["series"]] == [
        ("2026-03-02", "", 2),
        ("2026-03-30", "", 2),
    ]
    body = await _get(client, auth, **MARCH_APRIL, dimension="warehouse")
    ((wh,),) = [body["totals"]]
    assert _counts(wh) == ("CRW", 4, 3, 2, "0.6667", 1, "0.25")
    # Not whole months, by month: read from the days (S1 of 03-03 is outside).
    body = await _get(client, auth, **{"from": "2026-03-04", "to": "2026-04-01"})
    assert [(s["period"], s["label"], s["shipments"]) for s in body["series"]] == [
        ("2026-03-01", "CRA", 1),
        ("2026-04-01", "CRB", 1),
        ("2026-04-01", "own_fleet", 1),
    ]
    assert body["dimension"] == "carrier"  # the default


@pytest.mark.parametrize(
    ("metric", "order"),
    [
        ("shipments", ["CRA", "CRB", "own_fleet"]),
        ("on_time_rate", ["own_fleet", "CRA", "CRB"]),  # CRB delivered nothing: last
        ("exception_rate", ["CRB", "own_fleet", "CRA"]),  # lowest first
        ("cost_per_shipment", ["CRB", "CRA", "own_fleet"]),  # 5.00 USD, 16.00 CNY, none
        ("cost_per_kg", ["CRB", "CRA", "own_fleet"]),
    ],
)
async def test_totals_best_first_by_each_metric(
    client, auth, sessionmaker, settings, metric, order
) -> None:
    await _built(client, auth, sessionmaker, settings)
    body = await _get(client, auth, **MARCH_APRIL, metric=metric)
    assert [t["label"] for t in body["totals"]] == order
    top = await _get(client, auth, **MARCH_APRIL, metric=metric, top=1)
    assert [t["label"] for t in top["totals"]] == order[:1]
    assert {s["label"] for s in top["series"]} == set(order[:1])


async def test_in_a_reporting_currency(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    rate = {"base_currency": "USD", "quote_currency": "CNY", "rate": "7"}
    rate["valid_from"] = "2026-01-01"
    created = await client.post(
        "/api/v1/exchange-rates", headers=await auth.as_role("admin"), json=rate
    )
    assert created.status_code == 201, created.text
    body = await _get(client, auth, **MARCH_APRIL, currency="CNY", metric="cost_per_kg")
    a, b, _own = body["totals"]
    assert (a["label"], _costs(a)) == ("CRA", [("CNY", 2, "6.5", "32.00", "16.00", "4.92")])
    assert (b["label"], _costs(b)) == ("CRB", [("CNY", 1, "1.5", "35.00", "35.00", "23.33")])
    assert _costs(body["total"]) == [("CNY", 3, "8", "67.00", "22.33", "8.38")]
    assert body["currency"] == "CNY"


async def test_csv_and_xlsx_with_chinese_headers(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings)
    wh = await auth.as_role("warehouse")
    r = await client.get(
        CARRIERS,
        headers={**wh, "Accept-Language": "zh-CN,zh;q=0.9"},
        params={**MARCH_APRIL, "dimension": "all", "format": "csv"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["期间", "键", "名称", "发货单数"]
    assert "异常率" in rows[0] and "每千克运费" in rows[0] and "币种" in rows[0]
    # March: CNY only; April: a row per cost currency, the counts repeated (S4 has no cost).
    assert [(row[0], row[3], row[9], Decimal(row[12])) for row in rows[1:]] == [
        ("2026-03-01", "2", "CNY", Decimal("32")),
        ("2026-04-01", "2", "USD", Decimal("5")),
    ]
    r = await client.get(CARRIERS, headers=wh, params={**MARCH_APRIL, "format": "csv"})
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("period,key,label,shipments")
    own = next(line for line in lines if "own_fleet" in line)
    assert own.endswith(",,,,,,")  # no cost columns
    r = await client.get(
        CARRIERS,
        headers={**wh, "Accept-Language": "zh-CN"},
        params={**MARCH_APRIL, "format": "xlsx"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(r.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "准时率" in strings and "单票运费" in strings
    assert sheet.count("<row ") == 4  # the header, CRA March, CRB and own fleet April


async def test_who_may_read_it(client, auth) -> None:
    for role in ("warehouse", "viewer", "admin"):
        r = await client.get(CARRIERS, headers=await auth.as_role(role), params=MARCH_APRIL)
        assert r.status_code == 200, (role, r.text)
    r = await client.get(CARRIERS, headers=await auth.with_scopes("stock:read"), params=MARCH_APRIL)
    assert r.status_code == 200, r.text
    r = await client.get(
        CARRIERS, headers=await auth.with_scopes("orders:read"), params=MARCH_APRIL
    )
    assert r.status_code == 403
    assert (await client.get(CARRIERS, params=MARCH_APRIL)).status_code == 401


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
    r = await client.get(CARRIERS, headers=await auth.as_role("viewer"), params=params)
    body = assert_problem(r, 422, field=field)
    assert rule in {e["rule"] for e in body["errors"] if e["field"].endswith(field)}, body


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"to": "2026-03-01"}, "from"),
        ({**MARCH_APRIL, "top": "0"}, "top"),
        ({**MARCH_APRIL, "currency": "cny"}, "currency"),
        ({**MARCH_APRIL, "format": "pdf"}, "format"),
    ],
)
async def test_malformed_parameters(client, auth, params, field) -> None:
    r = await client.get(CARRIERS, headers=await auth.as_role("viewer"), params=params)
    assert_problem(r, 422, field=field)


async def test_a_currency_without_rates(client, auth, sessionmaker, settings) -> None:
    """The costs are in CNY and USD and no rate links them with EUR: 422 on `currency`; a
    range without costed shipments has nothing to convert and answers."""
    await _built(client, auth, sessionmaker, settings, tag="CX")
    viewer = await auth.as_role("viewer")
    r = await client.get(CARRIERS, headers=viewer, params={**MARCH_APRIL, "currency": "EUR"})
    body = assert_problem(r, 422, code="rule_violation", field="currency")
    assert body["errors"][0]["rule"] == "rate_missing"
    may = {"from": "2026-05-01", "to": "2026-05-31", "currency": "EUR"}
    r = await client.get(CARRIERS, headers=viewer, params=may)
    assert r.status_code == 200, r.text
    assert r.json()["series"] == [] and r.json()["total"]["shipments"] == 0


async def build_more(client, auth) -> None:
    """An order placed after the projector ran: an event on the outbox it has not read."""
    r = await client.post(
        "/api/v1/orders",
        headers=await auth.as_role("sales"),
        json={"channel": "manual", "customer": {"code": "CC-A"},
              "lines": [{"sku": "CC-P1", "quantity": "1"}], "submit": True},
    )  # fmt: skip
    assert r.status_code == 201, r.text


async def _rows(sessionmaker) -> list[tuple]:
    async with sessionmaker() as session:
        out = []
        for table in (ReportShipmentFact, ReportCarrier):
            rows = (await session.execute(select(*table.__table__.columns))).all()
            out += sorted((table.__tablename__, *(str(v) for v in r)) for r in rows)
        return out


async def test_replaying_every_event_changes_nothing(client, auth, sessionmaker, settings) -> None:
    await _built(client, auth, sessionmaker, settings, tag="CI")
    first = await _rows(sessionmaker)
    assert sum(1 for r in first if r[0] == "report_shipment_facts") == 4
    async with sessionmaker() as session:
        await session.execute(
            update(ReportProgress).where(ReportProgress.name == PROJECTOR).values(position=0)
        )
        await session.commit()
    assert await project_all(sessionmaker, settings) > 0  # every event again
    assert await _rows(sessionmaker) == first
    await rebuild(sessionmaker)
    assert await _rows(sessionmaker) == first


async def test_lading_check_finds_a_tampered_fact(client, auth, sessionmaker, settings) -> None:
    shipments = await _built(client, auth, sessionmaker, settings, tag="CC")
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    assert [v for v in await check_invariants(uow) if v.rule.startswith("report_")] == []
    s2 = uuid.UUID(shipments["S2"])
    async with sessionmaker() as session:
        await session.execute(
            update(ReportShipmentFact)
            .where(ReportShipmentFact.shipment_id == s2)
            .values(exception=False)
        )
        await session.commit()
    found = {(v.rule, v.record_id) for v in await check_invariants(uow)}
    assert ("report_carriers_mismatch", str(s2)) in found
    # Its day's roll-up (one exception) no longer sums the facts (none) either.
    assert ("report_carriers_mismatch", "2026-03-08") in found
    assert ("report_carriers_mismatch", "2026-04-01") not in found
    async with sessionmaker() as session:
        await session.execute(
            update(ReportCarrier)
            .where(ReportCarrier.dimension == "all")
            .where(ReportCarrier.period == date(2026, 4, 1), ReportCarrier.currency == "USD")
            .values(cost=Decimal("1"))
        )
        await session.commit()
    found = {(v.rule, v.record_type, v.record_id) for v in await check_invariants(uow)}
    assert ("report_carriers_mismatch", "report_day", "2026-04-01") in found
    # Behind the stream, the summaries are rightly older: nothing is compared.
    await build_more(client, auth)
    assert not [v for v in await check_invariants(uow) if v.rule.startswith("report_")]
