"""The after-sales summary under the projector, on both engines: replaying every event
changes nothing, the incremental summary equals a rebuild after a randomised sequence of
orders shipped, returns (refused, open, received in part), refunds and cases (resolved,
reopened), and ``lading check`` finds a tampered return or case."""

from __future__ import annotations

import random
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from app.repositories.report_after_sales_models import (
    ReportCaseFact,
    ReportReturnLineFact,
    ReportReturnRefunds,
)
from app.repositories.report_models import ReportProgress
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from app.worker.reports import project_all, rebuild
from tests.integration.after_sales.support import decide, receive, request_return
from tests.integration.report_after_sales_data import (
    auto_approve_below,
    build,
    move_case,
    open_case,
    order_detail,
    pay,
    refund,
)
from tests.integration.report_data import Flow, master_data, project
from tests.integration.test_report_projector import summaries

MINE = {"report_returns", "report_return_refunds", "report_shipped_units", "report_cases",
        "report_case_hours", "report_return_line_facts", "report_return_refund_facts",
        "report_shipped_facts", "report_case_facts"}  # fmt: skip


async def test_replaying_every_event_changes_nothing(client, auth, sessionmaker, settings) -> None:
    await build(client, auth, sessionmaker, "AI")
    await project(sessionmaker, settings)
    first = await summaries(sessionmaker)
    assert set(first) >= MINE and all(first[t] for t in MINE), first
    assert len(first["report_return_line_facts"]) == 5  # R1 two lines, R2, R3, R4
    async with sessionmaker() as session:
        await session.execute(update(ReportProgress).values(position=0))
        await session.commit()
    assert await project_all(sessionmaker, settings) > 0
    assert await summaries(sessionmaker) == first
    await rebuild(sessionmaker)
    assert await summaries(sessionmaker) == first


async def _returned(client, auth, rng: random.Random, order: dict[str, Any], n: int) -> str | None:
    """A return of one line of ``order``: refused, left open, received (in part), refunded,
    or credited (its note's credit refunded later: the note's id) — each in turn (``n``), with
    random lines, quantities and reasons."""
    line = rng.choice(order["lines"])
    sku, quantity = line["sku"], int(Decimal(line["delivered"]))
    asked = rng.randint(1, quantity)
    reason = rng.choice(["damaged", "wrong_item", "no_longer_wanted"])
    ret = await request_return(client, auth, order, {sku: str(asked)}, reason=reason)
    outcome = ("credited", "refused", "open", "refunded", "received")[n % 5]
    if outcome == "refused":
        await decide(client, auth, ret, "refuse", role="finance", reason="Used goods")
        return None
    await decide(client, auth, ret)
    if outcome == "open":
        return None
    await receive(client, auth, ret, {sku: {"restock": str(rng.randint(1, asked))}})
    if outcome == "refunded":
        await refund(client, auth, ret["id"])
    if outcome == "credited":
        return str((await refund(client, auth, ret["id"], keep_as_credit=True))["credit_note_id"])
    return None


async def _refund_credit(client, auth, note_id: str) -> bool:
    """Refund 1.00 of a credit note's unapplied credit (if it has that much)."""
    finance = await auth.as_role("finance")
    note = (await client.get(f"/api/v1/credit-notes/{note_id}", headers=finance)).json()
    if Decimal(note["unapplied"]) < 1:
        return False
    r = await client.post(
        "/api/v1/refunds",
        headers=finance,
        json={"credit_note_id": note_id, "amount": "1.00", "method": "bank_transfer",
              "refunded_on": "2026-05-04"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return True


async def test_incremental_equals_rebuild_after_a_random_sequence(
    client, auth, sessionmaker, settings
) -> None:
    rng = random.Random(1804)
    data = await master_data(sessionmaker, "AR")
    flow = Flow(client, auth, "AR")
    await auto_approve_below(client, auth, "0")
    await flow.receive("P1", "80")
    await flow.receive("P2", "40")
    cases: list[str] = []
    returns, credits = 0, []
    for step in range(14):
        customer = rng.choice("AB")
        lines = {p: str(rng.randint(1, 3)) for p in rng.sample(["P1", "P2"], rng.randint(1, 2))}
        order = await flow.order(customer, lines)
        if rng.random() < 0.8:
            shipment = await flow.ship(order, lines, None)
            if rng.random() < 0.8:
                await flow.deliver(shipment)
                await pay(client, auth, data.customers[customer], "200.00")
                if rng.random() < 0.7:
                    detail = await order_detail(client, auth, order)
                    credited = await _returned(client, auth, rng, detail, returns)
                    credits += [credited] if credited else []
                    returns += 1
        if rng.random() < 0.5:
            kind = rng.choice(["complaint", "inquiry", "return"])
            cases.append(await open_case(client, auth, data.customers[customer], kind))
        if cases and rng.random() < 0.5:
            case = rng.choice(cases)
            await _move(client, auth, rng, case)
        if step % 3 == 2:  # a random part of the stream reaches the summary meanwhile
            await project(sessionmaker, settings)
    # At least one case resolved, and one resolved and reopened, whatever the draw.
    last = await open_case(client, auth, data.customers["A"], "complaint")
    again = await open_case(client, auth, data.customers["B"], "inquiry")
    for case, state in ((last, "resolved"), (again, "resolved"), (again, "in_progress")):
        await move_case(client, auth, case, state)
    await project(sessionmaker, settings)
    # Credit kept, refunded later: the refund's own event reaches the return's summary.
    refunded = [note for note in credits if await _refund_credit(client, auth, note)]
    assert refunded, "no credit note was refunded later"
    await project(sessionmaker, settings)
    incremental = await summaries(sessionmaker)
    assert "2026-05-04" in {row[3] for row in incremental["report_return_refund_facts"]}
    assert incremental["report_return_line_facts"] and incremental["report_case_facts"]
    assert incremental["report_shipped_facts"] and incremental["report_return_refund_facts"]
    assert incremental["report_case_hours"]
    statuses = {row[4] for row in incremental["report_return_line_facts"]}
    assert {"refused", "approved", "resolved"} <= statuses, statuses
    await rebuild(sessionmaker)
    assert await summaries(sessionmaker) == incremental


async def _move(client, auth, rng: random.Random, case: str) -> None:
    """Resolve an open case, or reopen a resolved one."""
    r = await client.get(f"/api/v1/cases/{case}", headers=await auth.as_role("sales"))
    state = r.json()["state"]
    if state == "resolved":
        await move_case(client, auth, case, "in_progress")
    elif state in {"open", "in_progress"}:
        await move_case(client, auth, case, rng.choice(["resolved", "in_progress"])
                        if state == "open" else "resolved")  # fmt: skip


async def test_lading_check_finds_a_tampered_return_and_case(
    client, auth, sessionmaker, settings
) -> None:
    data = await build(client, auth, sessionmaker, "AC")
    await project(sessionmaker, settings)
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    mine = "report_after_sales_mismatch"
    assert [v for v in await check_invariants(uow) if v.rule == mine] == []
    r1, c1 = uuid.UUID(data.returns["R1"]), uuid.UUID(data.cases["C1"])
    async with sessionmaker() as session:
        await session.execute(
            update(ReportReturnLineFact)
            .where(ReportReturnLineFact.return_id == r1)
            .values(returned_units=99)
        )
        await session.execute(
            update(ReportCaseFact).where(ReportCaseFact.case_id == c1).values(hours=1)
        )
        await session.commit()
    found = {(v.rule, v.record_type, v.record_id) for v in await check_invariants(uow)}
    assert (mine, "return", str(r1)) in found
    assert (mine, "service_case", str(c1)) in found
    # A roll-up tampered is put right by the rebuild (the check samples the facts).
    async with sessionmaker() as session:
        await session.execute(update(ReportReturnRefunds).values(refund_value=1))
        await session.commit()
    before = await summaries(sessionmaker)
    await rebuild(sessionmaker)
    after = await summaries(sessionmaker)
    assert after["report_return_refunds"] != before["report_return_refunds"]
    assert not [v for v in await check_invariants(uow) if v.rule == mine]
