"""The receivables summary under the projector: replaying every event changes nothing, the
incremental summary equals a rebuild after a randomised sequence of invoices, payments (applied,
unapplied, reversed), credit notes, voids and customer changes through the API, and ``lading
check`` finds a tampered invoice fact and a tampered credit position."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from app.repositories.report_models import ReportProgress
from app.repositories.report_receivables_models import (
    RECEIVABLES_TABLES,
    ReportArCredit,
    ReportArInvoice,
)
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from app.worker.reports import project_all, rebuild
from tests.integration.receivables_data import (
    Money,
    ar_master_data,
    build_receivables,
)
from tests.integration.report_data import Flow, project


async def receivables_rows(sessionmaker) -> dict[str, list[tuple[str, ...]]]:
    """Every receivables summary row, sorted, as plain values."""
    out = {}
    async with sessionmaker() as session:
        for table in RECEIVABLES_TABLES:
            rows = (await session.execute(select(*table.__table__.columns))).all()
            out[table.__tablename__] = sorted(tuple(str(v) for v in row) for row in rows)
    return out


async def test_replaying_every_event_changes_nothing(client, auth, sessionmaker, settings) -> None:
    await build_receivables(client, auth, sessionmaker, "AQ")
    await project(sessionmaker, settings)
    first = await receivables_rows(sessionmaker)
    assert len(first["report_ar_invoices"]) == 5 and first["report_ar_movements"]
    assert first["report_ar_credit"] and first["report_ar_balances"]
    async with sessionmaker() as session:
        await session.execute(update(ReportProgress).values(position=0))
        await session.commit()
    assert await project_all(sessionmaker, settings) > 0
    assert await receivables_rows(sessionmaker) == first
    await rebuild(sessionmaker)
    assert await receivables_rows(sessionmaker) == first


class Sequence:
    """Random finance steps on the invoices of shipped orders."""

    def __init__(self, client: Any, auth: Any, data: Any, rng: random.Random) -> None:
        self.client, self.auth, self.rng = client, auth, rng
        self.data, self.money = data, Money(client, auth)
        self.invoices: list[dict[str, Any]] = []
        self.payments: list[dict[str, Any]] = []
        self.done: Counter[str] = Counter()

    def note(self, what: str, status: int) -> None:
        if status < 300:
            self.done[what] += 1

    async def finance(self) -> dict[str, str]:
        return dict(await self.auth.as_role("finance"))

    async def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.35 and self.invoices:
            await self.pay()
        elif roll < 0.5 and self.payments:
            await self.unapply()
        elif roll < 0.6 and self.payments:
            await self.reverse()
        elif roll < 0.75 and self.invoices:
            await self.credit()
        elif roll < 0.85 and self.invoices:
            await self.void()
        else:
            await self.regroup()

    async def pay(self) -> None:
        invoice = self.rng.choice(self.invoices)
        amount = str(self.rng.randint(1, 15))
        r = await self.client.post(
            "/api/v1/payments",
            headers=await self.finance(),
            json={
                "customer_id": invoice["customer_id"],
                "amount": amount,
                "currency": "CNY",
                "method": "bank_transfer",
                "apply": "oldest_due_first",
            },
        )
        assert r.status_code == 201, r.text
        self.note("pay", r.status_code)
        if r.json()["applications"]:
            self.payments.append(r.json())

    async def unapply(self) -> None:
        payment = self.rng.choice(self.payments)
        application = self.rng.choice(payment["applications"])
        r = await self.client.post(
            f"/api/v1/payments/{payment['id']}/applications/{application['id']}/unapply",
            headers=await self.finance(),
            json={},
        )
        assert r.status_code in (200, 409), r.text
        self.note("unapply", r.status_code)

    async def reverse(self) -> None:
        payment = self.payments.pop(self.rng.randrange(len(self.payments)))
        r = await self.client.post(
            f"/api/v1/payments/{payment['id']}/reverse",
            headers=await self.finance(),
            json={"reason": "bounced"},
        )
        assert r.status_code in (200, 409), r.text
        self.note("reverse", r.status_code)

    async def credit(self) -> None:
        invoice = self.rng.choice(self.invoices)
        r = await self.client.post(
            "/api/v1/credit-notes",
            headers=await self.finance(),
            json={
                "invoice_id": invoice["id"],
                "reason": "price_adjustment",
                "lines": [{"invoice_line_id": invoice["lines"][0]["id"], "amount": "3.00"}],
                "apply": self.rng.random() < 0.8,
            },
        )
        assert r.status_code in (201, 409, 422), r.text
        self.note("credit", r.status_code)

    async def void(self) -> None:
        invoice = self.invoices.pop(self.rng.randrange(len(self.invoices)))
        r = await self.client.post(
            f"/api/v1/invoices/{invoice['id']}/void",
            headers=await self.finance(),
            json={"reason": "wrong buyer"},
        )
        assert r.status_code in (200, 409), r.text
        self.note("void", r.status_code)

    async def regroup(self) -> None:
        customer = self.rng.choice(list(self.data.customers.values()))
        url = f"/api/v1/customers/{customer}"
        current = await self.client.get(url, headers=await self.finance())
        r = await self.client.patch(
            url,
            headers={**await self.finance(), "If-Match": current.headers["ETag"]},
            json={
                "customer_group": self.rng.choice(["retail", "wholesale", "key"]),
                "credit_limit": str(self.rng.choice([50, 100, 1000000])),
            },
        )
        assert r.status_code == 200, r.text
        self.note("regroup", r.status_code)


async def test_incremental_equals_rebuild_after_a_random_sequence(
    client, auth, sessionmaker, settings
) -> None:
    rng = random.Random(18)
    data = await ar_master_data(sessionmaker, "AR")
    flow = Flow(client, auth, "AR")
    await flow.receive("P1", "80")
    steps = Sequence(client, auth, data, rng)
    for i in range(24):
        if i % 3 == 0:
            units = str(rng.randint(1, 4))
            order = await flow.order(rng.choice("AB"), {"P1": units})
            if rng.random() < 0.8:
                await flow.ship(order, {"P1": units}, None)
                steps.invoices.append(await steps.money.invoice_of(order))
        await steps.step()
        if i % 5 == 4:  # a random part of the stream reaches the summaries meanwhile
            await project(sessionmaker, settings)
    await project(sessionmaker, settings)
    incremental = await receivables_rows(sessionmaker)
    assert incremental["report_ar_invoices"], "the sequence invoiced nothing"
    assert set(steps.done) == {"pay", "unapply", "reverse", "credit", "void", "regroup"}, steps.done
    await rebuild(sessionmaker)
    assert await receivables_rows(sessionmaker) == incremental


async def test_lading_check_finds_a_tampered_fact_and_credit(
    client, auth, sessionmaker, settings
) -> None:
    data = await build_receivables(client, auth, sessionmaker, "AC")
    await project(sessionmaker, settings)
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    mine = "report_receivables_mismatch"
    assert [v for v in await check_invariants(uow) if v.rule == mine] == []
    invoice, customer = uuid.UUID(data.invoices["I3"]), uuid.UUID(data.customers["B"])
    async with sessionmaker() as session:
        await session.execute(
            update(ReportArInvoice)
            .where(ReportArInvoice.invoice_id == invoice)
            .values(open_amount=Decimal("1"))
        )
        await session.execute(
            update(ReportArCredit)
            .where(ReportArCredit.customer_id == customer)
            .values(exposure=Decimal("7"))
        )
        await session.commit()
    found = {(v.rule, v.record_type, v.record_id) for v in await check_invariants(uow)}
    assert (mine, "invoice", str(invoice)) in found
    assert (mine, "customer", str(customer)) in found
