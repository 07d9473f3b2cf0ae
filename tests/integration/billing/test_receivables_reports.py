"""The receivables reports against figures computed by hand: one customer, five invoices placed
in the five aging buckets by their due dates, two payments (one applied in part), and a
payment in a second currency; the aging buckets, DSO, the trial balance and the customer's
statement, on both engines.

The invoices (a product at 100.00 with 13% VAT, n units: net 100n, tax 13n, total 113n),
dated relative to today (T):

    invoice  units  total   issued   due      days past due on T   bucket
    A        1      113.00  T-10     T+20     —                    current
    B        2      226.00  T-45     T-15     15                   1–30
    C        3      339.00  T-89     T-60     60                   31–60
    E        5      565.00  T-120    T-90     90                   61–90
    D        4      452.00  T-150    T-91     91                   over 90

Payments, received today: P1 500.00 CNY by bank, 200.00 of it applied to D; P2 100.00 CNY
cash, all applied to B; P3 50.00 USD by bank, not applied.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app import bootstrap
from app.domain.billing.settlement import PaymentMethod
from tests.builders import a_customer, a_product, a_warehouse
from tests.integration.billing.books_support import a_payment, an_invoice, apply, date_invoice
from tests.support import assert_problem

D = Decimal


@pytest.fixture
def uow(sessionmaker, settings):
    return bootstrap.unit_of_work(sessionmaker, bootstrap.build_bus(settings))


@pytest.fixture
async def books(uow):
    today = datetime.now(UTC).date()
    customer = await a_customer(uow)
    product = await a_product(uow, list_price=D("100.00"), tax_rate=D("0.13"))
    warehouse = await a_warehouse(uow)
    placed = {
        "A": (1, 10, -20),
        "B": (2, 45, 15),
        "C": (3, 89, 60),
        "E": (5, 120, 90),
        "D": (4, 150, 91),
    }
    invoices = {}
    for name, (units, issued_ago, late) in placed.items():
        invoice = await an_invoice(uow, customer, warehouse, [(product, units)])
        assert invoice.total == D(113 * units)
        await date_invoice(
            uow, invoice.id, today - timedelta(days=issued_ago), today - timedelta(days=late)
        )
        invoices[name] = invoice
    p1 = await a_payment(uow, customer, D("500.00"))
    await apply(uow, p1.id, invoices["D"].id, D("200.00"))
    p2 = await a_payment(uow, customer, D("100.00"), method=PaymentMethod.CASH)
    await apply(uow, p2.id, invoices["B"].id, D("100.00"))
    p3 = await a_payment(uow, customer, D("50.00"), currency="USD")
    return {"today": today, "customer": customer, "invoices": invoices, "payments": (p1, p2, p3)}


def _amounts(line: dict) -> tuple[str, ...]:
    keys = ("current", "days_1_30", "days_31_60", "days_61_90", "over_90", "total")
    return tuple(line[k] for k in keys)


async def test_aging_buckets_and_dso(client, auth, books) -> None:
    headers = await auth.as_role("finance")
    response = await client.get("/api/v1/receivables/aging", headers=headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["as_of"] == books["today"].isoformat() and report["days"] == 90
    # Open on T: A 113; B 226 − 100 = 126; C 339; E 565; D 452 − 200 = 252; total 1395.
    [customer] = report["customers"]
    assert customer["customer_code"] == books["customer"].code
    [cny] = customer["currencies"]
    assert cny["currency"] == "CNY"
    assert _amounts(cny) == ("113.00", "126.00", "339.00", "565.00", "252.00", "1395.00")
    # Invoiced in the 90 days T-89..T: A, B and C: 113 + 226 + 339 = 678.
    # DSO = 1395 / 678 × 90 = 185.177 → 185.2 days.
    assert cny["invoiced"] == "678.00" and cny["dso"] == "185.2"
    assert report["totals"] == [cny]

    # On T-1 the applications (made on T) do not count yet and every due date is a day
    # nearer: A current 113; B 14 days late, 226; C 59 days, 339; E 89 days, 565; D 90 days,
    # 452 — so 61–90 holds E and D: 1017; total 1695 (everything invoiced, nothing applied).
    # Invoiced T-90..T-1: A, B, C again 678; DSO = 1695 / 678 × 90 = 225.0.
    yesterday = (books["today"] - timedelta(days=1)).isoformat()
    earlier = await client.get(
        "/api/v1/receivables/aging",
        params={"as_of": yesterday, "customer_id": str(books["customer"].id)},
        headers=headers,
    )
    assert earlier.status_code == 200, earlier.text
    [line] = earlier.json()["customers"][0]["currencies"]
    assert _amounts(line) == ("113.00", "226.00", "339.00", "1017.00", "0.00", "1695.00")
    assert line["dso"] == "225"

    # A 30-day window on T holds only A (113): DSO = 1395 / 113 × 30 = 370.35 → 370.4.
    short = await client.get("/api/v1/receivables/aging", params={"days": 30}, headers=headers)
    assert short.json()["totals"][0]["dso"] == "370.4"
    # Before anything was issued there is nothing open and nothing invoiced.
    long_ago = (books["today"] - timedelta(days=400)).isoformat()
    empty = await client.get(
        "/api/v1/receivables/aging", params={"as_of": long_ago}, headers=headers
    )
    assert empty.json()["customers"] == [] and empty.json()["totals"] == []


async def test_trial_balance(client, auth, books) -> None:
    response = await client.get(
        "/api/v1/ledger/trial-balance", headers=await auth.as_role("finance")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    rows = {
        (r["currency"], r["account"]): (r["debit"], r["credit"], r["balance"])
        for r in body["accounts"]
    }
    # Invoices: Dr 1122 1695 (113 × 15 units), Cr revenue 1500, Cr VAT 195. P1: Dr bank 500,
    # Cr 2203 500; P2: Dr cash 100, Cr 2203 100; applications: Dr 2203 300, Cr 1122 300.
    # P3: Dr bank 50 USD, Cr 2203 50 USD.
    assert rows == {
        ("CNY", "1001"): ("100.00", "0.00", "100.00"),
        ("CNY", "1002"): ("500.00", "0.00", "500.00"),
        ("CNY", "1122"): ("1695.00", "300.00", "1395.00"),
        ("CNY", "2203"): ("300.00", "600.00", "-300.00"),
        ("CNY", "22210106"): ("0.00", "195.00", "-195.00"),
        ("CNY", "6001"): ("0.00", "1500.00", "-1500.00"),
        ("USD", "1002"): ("50.00", "0.00", "50.00"),
        ("USD", "2203"): ("0.00", "50.00", "-50.00"),
    }
    # Debits 100 + 500 + 1695 + 300 = 2595 = credits 300 + 600 + 195 + 1500.
    assert body["totals"] == [
        {"currency": "CNY", "debit": "2595.00", "credit": "2595.00", "balanced": True},
        {"currency": "USD", "debit": "50.00", "credit": "50.00", "balanced": True},
    ]
    # Up to T-11 only D, E, C and B were posted (their receivables dated on issue):
    # 452 + 565 + 339 + 226 = 1582 receivable against revenue 1400 and VAT 182.
    as_of = (books["today"] - timedelta(days=11)).isoformat()
    earlier = (
        await client.get(
            "/api/v1/ledger/trial-balance",
            params={"as_of": as_of},
            headers=await auth.as_role("finance"),
        )
    ).json()
    assert {r["account"]: r["balance"] for r in earlier["accounts"]} == {
        "1122": "1582.00",
        "22210106": "-182.00",
        "6001": "-1400.00",
    }


async def test_statement(client, auth, books) -> None:
    today = books["today"]
    customer = books["customer"]
    p1, p2, p3 = books["payments"]
    response = await client.get(
        f"/api/v1/customers/{customer.id}/statement",
        params={"from": (today - timedelta(days=30)).isoformat(), "to": today.isoformat()},
        headers=await auth.as_role("finance"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    cny, usd = body["currencies"]
    # Before T-30: D 452 + E 565 + C 339 + B 226 = 1582 owed.
    assert cny["currency"] == "CNY" and cny["opening_balance"] == "1582.00"
    # Then A (+113) on T-10, P1 (−500) and P2 (−100) on T; the applications move money from
    # the customer's credit to the invoices and are not rows.
    assert [(r["document_number"], r["amount"], r["balance"]) for r in cny["rows"]] == [
        (books["invoices"]["A"].number, "113.00", "1695.00"),
        (p1.number, "-500.00", "1195.00"),
        (p2.number, "-100.00", "1095.00"),
    ]
    assert [(r["document_type"], r["action"]) for r in cny["rows"]] == [
        ("invoice", "issued"),
        ("payment", "received"),
        ("payment", "received"),
    ]
    # 1395 receivable − 300 unapplied credit = 1095.
    assert cny["closing_balance"] == "1095.00"
    assert usd == {
        "currency": "USD",
        "opening_balance": "0.00",
        "rows": [
            {
                "posted_at": usd["rows"][0]["posted_at"],
                "document_type": "payment",
                "document_number": p3.number,
                "action": "received",
                "description": f"Payment {p3.number}",
                "amount": "-50.00",
                "balance": "-50.00",
            }
        ],
        "closing_balance": "-50.00",
    }
    # A period before anything: only the opening balance, carried.
    before = await client.get(
        f"/api/v1/customers/{customer.id}/statement",
        params={
            "from": (today - timedelta(days=100)).isoformat(),
            "to": (today - timedelta(days=95)).isoformat(),
        },
        headers=await auth.as_role("finance"),
    )
    [only] = before.json()["currencies"]
    # D (T-150) and E (T-120) were posted before: 452 + 565.
    assert only["opening_balance"] == only["closing_balance"] == "1017.00"
    assert only["rows"] == []


async def test_journal_export(client, auth, books) -> None:
    response = await client.get("/api/v1/ledger/journal.csv", headers=await auth.as_role("finance"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    header, *lines = response.text.splitlines()
    assert header.split(",")[:3] == ["entry_id", "posted_at", "memo"]
    # 5 invoices × 3 lines, 3 payments × 2, 2 applications × 2.
    assert len(lines) == 15 + 6 + 4
    a = books["invoices"]["A"]
    rows = [x.split(",") for x in lines]
    receivable = [r for r in rows if r[2] == f"Invoice {a.number}" and r[6] == "1122"]
    assert len(receivable) == 1
    assert receivable[0][7:] == [
        "Accounts receivable",
        books["customer"].code,
        "CNY",
        "113.00",
        "0.00",
    ]
    # Only the entries posted from T-11 to T-10: A's three lines.
    day = (books["today"] - timedelta(days=10)).isoformat()
    since = (books["today"] - timedelta(days=11)).isoformat()
    window = await client.get(
        "/api/v1/ledger/journal.csv",
        params={"from": since, "to": day},
        headers=await auth.as_role("finance"),
    )
    assert len(window.text.splitlines()) == 1 + 3


async def test_journal_export_in_batches(uow, books) -> None:
    from app.services.ledger.queries import journal_lines

    whole = [x async for x in journal_lines(uow, None, None)]
    batched = [x async for x in journal_lines(uow, None, None, batch=4)]
    assert [x.line_id for x in batched] == [x.line_id for x in whole] and len(whole) == 25


async def test_reports_refuse_bad_input_and_need_their_scopes(client, auth, books) -> None:
    finance = await auth.as_role("finance")
    customer = books["customer"]
    assert_problem(
        await client.get(
            f"/api/v1/customers/{customer.id}/statement",
            params={"from": "2026-05-02", "to": "2026-05-01"},
            headers=finance,
        ),
        422,
    )
    assert_problem(
        await client.get(
            "/api/v1/ledger/journal.csv",
            params={"from": "2026-05-02", "to": "2026-05-01"},
            headers=finance,
        ),
        422,
    )
    assert_problem(
        await client.get("/api/v1/receivables/aging", params={"days": 0}, headers=finance), 422
    )
    missing = "00000000-0000-0000-0000-000000000001"
    assert_problem(await client.get(f"/api/v1/customers/{missing}/statement", headers=finance), 404)
    keyed = await auth.with_scopes("orders:read")
    assert_problem(await client.get("/api/v1/ledger/trial-balance", headers=keyed), 403)
    assert_problem(await client.get("/api/v1/receivables/aging", headers=keyed), 403)
    reader = await auth.with_scopes("ledger:read")
    assert (await client.get("/api/v1/ledger/trial-balance", headers=reader)).status_code == 200
