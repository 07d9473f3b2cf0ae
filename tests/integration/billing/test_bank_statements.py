"""Bank statements through HTTP on both engines: a GB18030 statement settles two invoices (one
by the invoice number in its memo, one by customer and exact amount), a third line waits in
the queue until finance matches it by hand; the same file again, and an overlapping one, make
no second payment; a statement with a missing column or undecodable bytes changes nothing.

The CSV layout is constructed after the common Chinese bank export columns (交易日期, 贷方金额,
对方户名, 对方账号, 摘要, 附言 as in 网银 transaction-detail exports); there is no network here
to fetch a real bank's file, so no real export was copied."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from sqlalchemy import func, select, update

from app.repositories.bank_statements import BankStatement
from app.repositories.customers import Customer
from app.repositories.ledger import JournalLine
from app.repositories.payments import Payment
from tests.integration.billing.test_invoicing import data as data  # the fixture
from tests.integration.billing.test_invoicing import invoices_of, ship
from tests.support import assert_problem

URL = "/api/v1/bank-statements"
LINES = "/api/v1/bank-statement-lines"
HEADER = "交易日期,借方金额,贷方金额,对方户名,对方账号,摘要,附言\n"
BUYER = "艾克米贸易（杭州）有限公司"
ACCOUNT = "6222 0212 0000 8888"


async def finance(auth) -> dict[str, str]:
    return await auth.as_role("finance")


async def post_csv(client, auth, body: bytes, **params: str):
    headers = {**await finance(auth), "Content-Type": "text/csv"}
    return await client.post(URL, content=body, headers=headers, params=params)


async def count(sessionmaker, model) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def billing_status(client, auth, order_id: str) -> str:
    response = await client.get(f"/api/v1/orders/{order_id}", headers=await auth.as_role("sales"))
    return str(response.json()["billing_status"])


async def two_invoices(client, auth, sessionmaker) -> tuple[dict, dict, dict, dict]:
    first, _ = await ship(client, auth, {"S-1": "3"})
    second, _ = await ship(client, auth, {"S-1": "1", "S-2": "4"})
    [inv1] = await invoices_of(client, auth, first["id"])
    [inv2] = await invoices_of(client, auth, second["id"])
    assert (inv1["total"], inv2["total"]) == ("30.00", "50.00")
    async with sessionmaker() as session:
        await session.execute(
            update(Customer)
            .where(Customer.code == "ACME")
            .values(tax_registration={"buyer_name": BUYER, "account": ACCOUNT})
        )
        await session.commit()
    return first, second, inv1, inv2


def statement(inv1: dict) -> bytes:
    rows = [
        f"2026-12-01,,30.00,会计代付服务部,6217 0000 1111 2222,货款,{inv1['number']}",
        f'2026-12-02,,"50.00",{BUYER},{ACCOUNT},十一月货款,',
        "2026-12-02,,¥12.34,未知商贸有限公司,6228 4800 0000 0001,往来款,",
        "2026-12-03,15.00,,中国银行,,手续费,",
    ]
    return (HEADER + "\n".join(rows) + "\n").encode("gb18030")


async def test_a_statement_settles_invoices_and_queues_the_rest(
    client, auth, data, sessionmaker
) -> None:
    first, second, inv1, inv2 = await two_invoices(client, auth, sessionmaker)
    body = statement(inv1)

    response = await post_csv(client, auth, body, filename="boc-2026-12.csv")
    assert response.status_code == 201, response.text
    imported = response.json()
    assert imported["encoding"] == "gb18030" and imported["filename"] == "boc-2026-12.csv"
    assert imported["counts"] == {
        "lines": 3,
        "matched": 2,
        "unmatched": 1,
        "ignored": 0,
        "duplicate": 0,
        "skipped": 1,
    }
    assert imported["skipped"] == [{"line_no": 4, "reason": "not_a_credit"}]
    by_no = {x["line_no"]: x for x in imported["lines"]}
    assert (by_no[1]["status"], by_no[1]["matched_rule"], by_no[1]["invoice_id"]) == (
        "matched",
        "invoice_number",
        inv1["id"],
    )
    assert (by_no[2]["status"], by_no[2]["matched_rule"], by_no[2]["invoice_id"]) == (
        "matched",
        "customer_amount",
        inv2["id"],
    )
    assert by_no[1]["payment_id"] and by_no[2]["payment_id"]
    assert by_no[2]["payer_name"] == BUYER and by_no[3]["status"] == "unmatched"
    assert by_no[3]["payment_id"] is None and by_no[3]["amount"] == "12.34"

    for invoice in (inv1, inv2):
        read = await client.get(f"/api/v1/invoices/{invoice['id']}", headers=await finance(auth))
        assert read.json()["standing"] == "paid" and read.json()["balance"] == "0.00"
    assert await billing_status(client, auth, first["id"]) == "paid"
    assert await billing_status(client, auth, second["id"]) == "paid"
    async with sessionmaker() as session:
        payments = list(await session.scalars(select(Payment)))
    assert sorted((p.amount, p.method) for p in payments) == [
        (Decimal("30.00"), "bank_transfer"),
        (Decimal("50.00"), "bank_transfer"),
    ]
    assert {p.reference for p in payments} == {f"货款 {inv1['number']}", "十一月货款"}

    # The queue holds the third line; finance matches it by hand (no open invoice is left, so
    # it all stays the customer's unapplied credit).
    queue = await client.get(LINES, params={"status": "unmatched"}, headers=await finance(auth))
    assert queue.status_code == 200, queue.text
    assert [x["id"] for x in queue.json()["items"]] == [by_no[3]["id"]]
    match = await client.post(
        f"{LINES}/{by_no[3]['id']}/match",
        json={"customer_id": inv1["customer_id"]},
        headers=await finance(auth),
    )
    assert match.status_code == 200, match.text
    matched = match.json()
    assert (matched["status"], matched["matched_rule"]) == ("matched", "manual")
    assert matched["matched_by"].startswith("user:finance")
    assert matched["customer_id"] == inv1["customer_id"] and matched["invoice_id"] is None
    again = await client.post(
        f"{LINES}/{by_no[3]['id']}/match",
        json={"customer_id": inv1["customer_id"]},
        headers=await finance(auth),
    )
    assert_problem(again, 409, code="line_already_matched")
    queue = await client.get(LINES, headers=await finance(auth))
    assert queue.json()["items"] == []
    assert await count(sessionmaker, Payment) == 3

    # The same file again: its first statement, nothing new.
    repeat = await post_csv(client, auth, body)
    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["id"] == imported["id"]
    assert repeat.json()["counts"]["matched"] == 3
    assert await count(sessionmaker, Payment) == 3 and await count(sessionmaker, BankStatement) == 1

    # An overlapping statement: the transfer already imported is a duplicate; a new line waits.
    overlap = (
        HEADER
        + f"2026-12-01,,30.00,会计代付服务部,6217 0000 1111 2222,货款,{inv1['number']}\n"
        + "2026-12-05,,7.00,供应商退款,6228 0000 0000 0009,退款,\n"
    ).encode("gb18030")
    response = await post_csv(client, auth, overlap)
    assert response.status_code == 201, response.text
    lines = {x["line_no"]: x for x in response.json()["lines"]}
    assert (lines[1]["status"], lines[1]["id"], lines[1]["duplicate_of"]) == (
        "duplicate",
        None,
        by_no[1]["id"],
    )
    assert lines[2]["status"] == "unmatched"
    assert response.json()["counts"]["duplicate"] == 1
    assert await count(sessionmaker, Payment) == 3

    ignored = await client.post(
        f"{LINES}/{lines[2]['id']}/ignore",
        json={"reason": "a supplier's refund, not a receipt"},
        headers=await finance(auth),
    )
    assert ignored.status_code == 200 and ignored.json()["status"] == "ignored"
    twice = await client.post(
        f"{LINES}/{lines[2]['id']}/ignore", json={"reason": "x"}, headers=await finance(auth)
    )
    assert_problem(twice, 409, code="line_ignored")
    got = await client.get(f"{URL}/{response.json()['id']}", headers=await finance(auth))
    assert got.status_code == 200
    assert got.json()["counts"]["ignored"] == 1 and got.json()["counts"]["lines"] == 1

    async with sessionmaker() as session:
        legs = list(await session.scalars(select(JournalLine)))
    assert sum(x.debit for x in legs) == sum(x.credit for x in legs)
    receivable = sum(x.debit - x.credit for x in legs if x.account == "1122")
    credit = sum(x.credit - x.debit for x in legs if x.account == "2203")
    assert receivable == 0 and credit == Decimal("12.34")


async def test_match_by_hand_pays_named_invoices_and_keeps_the_excess(
    client, auth, data, sessionmaker
) -> None:
    first, second, inv1, inv2 = await two_invoices(client, auth, sessionmaker)
    body = (HEADER + "2026-12-02,,100.00,无名氏,,货款,\n").encode("gb18030")
    # As the file part of a form this time (what generated clients send).
    response = await client.post(
        URL, files={"file": ("icbc.csv", body, "text/csv")}, headers=await finance(auth)
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "icbc.csv"
    [line] = response.json()["lines"]
    assert line["status"] == "unmatched"
    wrong = await client.post(
        f"{LINES}/{line['id']}/match",
        json={"customer_id": str(uuid.uuid4()), "invoice_ids": [inv2["id"]]},
        headers=await finance(auth),
    )
    assert_problem(wrong, 422, field="customer_id")
    match = await client.post(
        f"{LINES}/{line['id']}/match",
        json={"customer_id": inv1["customer_id"], "invoice_ids": [inv2["id"], inv1["id"]]},
        headers=await finance(auth),
    )
    assert match.status_code == 200, match.text
    assert match.json()["invoice_id"] == inv2["id"]
    assert await billing_status(client, auth, first["id"]) == "paid"
    assert await billing_status(client, auth, second["id"]) == "paid"
    async with sessionmaker() as session:
        [payment] = list(await session.scalars(select(Payment)))
    assert (payment.amount, payment.amount_applied) == (Decimal("100.00"), Decimal("80.00"))


async def test_bad_statements_change_nothing(client, auth, data, sessionmaker) -> None:
    _, _, inv1, _ = await two_invoices(client, auth, sessionmaker)
    missing = (
        "交易日期,贷方金额,对方户名,摘要\n" + f"2026-12-01,30.00,某公司,{inv1['number']}\n"
    ).encode("gb18030")
    response = await post_csv(client, auth, missing)
    assert_problem(response, 422, code="missing_columns", field="file")
    assert "payer_account" in response.json()["errors"][0]["message"]

    undecodable = HEADER.encode("gb18030") + b"2026-12-01,,30.00,\x81\x20\xff,1,x,\n"
    response = await post_csv(client, auth, undecodable)
    assert_problem(response, 422, code="unreadable_encoding", field="file")

    malformed = statement(inv1).replace(b"30.00", b"3O.00")
    response = await post_csv(client, auth, malformed)
    assert_problem(response, 422, field="lines[1].amount")

    assert await count(sessionmaker, Payment) == 0
    assert await count(sessionmaker, BankStatement) == 0
    read = await client.get(f"/api/v1/invoices/{inv1['id']}", headers=await finance(auth))
    assert read.json()["standing"] == "open"


async def test_only_finance_imports_statements(client, auth, data) -> None:
    body = (HEADER + "2026-12-02,,1.00,甲,,x,\n").encode("gb18030")
    headers = {**await auth.as_role("warehouse"), "Content-Type": "text/csv"}
    response = await client.post(URL, content=body, headers=headers)
    assert_problem(response, 403)
    response = await client.post(
        f"{LINES}/{uuid.uuid4()}/ignore", json={"reason": "x"}, headers=await auth.as_role("sales")
    )
    assert_problem(response, 403)


async def test_racing_imports_and_matches_make_one_payment(pg_client, pg_auth, pg_app) -> None:
    """On PostgreSQL with parallel connections: the same file imported twice at once is one
    statement (the digest is unique; the loser answers the first statement or 409), and two
    finance users matching one line at once make one payment (the line is locked; the other
    answers 409)."""
    import asyncio

    from tests.factories import make_customer

    sessionmaker = pg_app.state.sessionmaker
    tag = uuid.uuid4().hex[:8]
    customer = await make_customer(sessionmaker, f"C-{tag}", credit_limit="0")
    body = (HEADER + f"2026-12-02,,10.00,未知-{tag},,{tag},\n").encode("gb18030")
    headers = {**await pg_auth.as_role("finance"), "Content-Type": "text/csv"}
    answers = await asyncio.gather(
        *[pg_client.post(URL, content=body, headers=headers) for _ in range(2)]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes in ([200, 201], [201, 409]), [a.text for a in answers]
    [line] = next(a.json() for a in answers if a.status_code == 201)["lines"]
    match = {"customer_id": str(customer.id)}
    finance = await pg_auth.as_role("finance")
    answers = await asyncio.gather(
        *[
            pg_client.post(f"{LINES}/{line['id']}/match", json=match, headers=finance)
            for _ in range(2)
        ]
    )
    assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
    async with sessionmaker() as session:
        paid = await session.scalar(
            select(func.count()).select_from(Payment).where(Payment.reference == tag)
        )
        statements = await session.scalar(
            select(func.count())
            .select_from(BankStatement)
            .where(BankStatement.digest == hashlib.sha256(body).hexdigest())
        )
    assert paid == 1 and statements == 1
