"""The reports' projector: replaying events changes nothing, it goes on from where it stopped,
an event that becomes visible late is not lost (and ``as_of`` waits for it), the incremental
summaries equal a rebuild after a randomised sequence through the API, and on PostgreSQL an
uncommitted routing transaction holds back nothing it should not."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from app.repositories.events import OutboxEvent
from app.repositories.outbox import OutboxRepository
from app.repositories.report_models import (
    ReportFulfilment,
    ReportFulfilmentMonth,
    ReportLeadTime,
    ReportLeadTimeMonth,
    ReportLineFact,
    ReportOrderFact,
    ReportProgress,
    ReportSales,
    ReportSalesMonth,
    ReportStockIssue,
)
from app.repositories.report_registry import SUMMARIES
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.services.check import check_invariants
from app.worker.reports import project_all, project_once, rebuild
from app.worker.routing import route_once
from app.worker.schedule import ROUTES
from tests.integration.after_sales.support import decide, receive, request_return
from tests.integration.report_data import Flow, build, master_data, project

TABLES = (
    ReportOrderFact,
    ReportLineFact,
    ReportSales,
    ReportFulfilment,
    ReportLeadTime,
    ReportSalesMonth,
    ReportFulfilmentMonth,
    ReportLeadTimeMonth,
    ReportStockIssue,
    *(table for summary in SUMMARIES for table in summary.tables),
)


async def summaries(sessionmaker) -> dict[str, list[tuple[Any, ...]]]:
    """Every summary row, sorted, as plain values."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with sessionmaker() as session:
        for table in TABLES:
            columns = list(table.__table__.columns)
            rows = (await session.execute(select(*columns))).all()
            out[table.__tablename__] = sorted(tuple(str(v) for v in row) for row in rows)
    return out


async def _position(sessionmaker) -> int:
    async with sessionmaker() as session:
        return int(
            await session.scalar(
                select(ReportProgress.position).where(ReportProgress.name == "reports")
            )
        )


async def test_replaying_every_event_changes_nothing(client, auth, sessionmaker, settings) -> None:
    await build(client, auth, sessionmaker, "RI")
    await project(sessionmaker, settings)
    first = await summaries(sessionmaker)
    assert len(first["report_order_facts"]) == 6 and first["report_sales"]
    async with sessionmaker() as session:
        await session.execute(update(ReportProgress).values(position=0))
        await session.commit()
    assert await project_all(sessionmaker, settings) > 0  # every event again
    assert await summaries(sessionmaker) == first
    assert await rebuild(sessionmaker) == 6
    assert await summaries(sessionmaker) == first


async def test_small_batches_go_on_from_where_they_stopped(
    client, auth, sessionmaker, settings
) -> None:
    await build(client, auth, sessionmaker, "RB")
    while await route_once(sessionmaker, settings, ROUTES) >= settings.dispatcher_batch_size:
        pass
    async with sessionmaker() as session:
        last = await OutboxRepository(session).last_position()
    steps = 0
    while await project_once(sessionmaker, 7) == 7:  # a "crash" after every step
        steps += 1
        assert await _position(sessionmaker) == 7 * steps
        # A full batch moves as_of up to the oldest event it has not read yet.
        async with sessionmaker() as session:
            as_of = await session.scalar(select(ReportProgress.as_of))
            unread = await session.scalar(
                select(func.min(OutboxEvent.created_at)).where(OutboxEvent.position > 7 * steps)
            )
        assert as_of is not None and (unread is None or as_of <= unread)
    assert await _position(sessionmaker) == last
    batched = await summaries(sessionmaker)
    await rebuild(sessionmaker)
    assert await summaries(sessionmaker) == batched


async def test_an_event_visible_late_is_not_lost(client, auth, sessionmaker, settings) -> None:
    """Order X's events are committed but not routable yet (as when its transaction commits
    after later ones, or routing lags): the projector passes the later order Y, keeps
    ``as_of`` before X's events, and takes X once they are on the stream."""
    await master_data(sessionmaker, "RL")
    flow = Flow(client, auth, "RL")
    await flow.receive("P1", "10")
    x = await flow.order("A", {"P1": "1"})
    later = datetime.now(UTC) + timedelta(days=1)
    async with sessionmaker() as session:
        held = (
            await session.scalars(
                select(OutboxEvent.created_at).where(OutboxEvent.status == "pending")
            )
        ).all()
        await session.execute(update(OutboxEvent).values(available_at=later))
        await session.commit()
    y = await flow.order("B", {"P1": "2"})
    await project(sessionmaker, settings)
    facts = await summaries(sessionmaker)
    ids = {row[0] for row in facts["report_order_facts"]}
    assert _id(y) in ids and _id(x) not in ids
    async with sessionmaker() as session:
        as_of = await session.scalar(select(ReportProgress.as_of))
    assert as_of is not None and as_of <= min(held)

    async with sessionmaker() as session:
        await session.execute(update(OutboxEvent).values(available_at=datetime.now(UTC)))
        await session.commit()
    await project(sessionmaker, settings)
    ids = {row[0] for row in (await summaries(sessionmaker))["report_order_facts"]}
    assert {_id(x), _id(y)} <= ids
    async with sessionmaker() as session:
        assert await session.scalar(select(ReportProgress.as_of)) > max(held)


def _id(value: str) -> str:
    """An order id as the summary rows print it (SQLite keeps no hyphens in a UUID column)."""
    return str(uuid.UUID(value))


async def test_incremental_equals_rebuild_after_a_random_sequence(
    client, auth, sessionmaker, settings
) -> None:
    rng = random.Random(18)
    data = await master_data(sessionmaker, "RR")
    flow = Flow(client, auth, "RR")
    await flow.receive("P1", "60")
    await flow.receive("P2", "20")
    finance = await auth.as_role("finance")
    placed: list[tuple[str, dict[str, str]]] = []
    shipped: list[str] = []
    for step in range(14):
        lines = {p: str(rng.randint(1, 3)) for p in rng.sample(["P1", "P2"], rng.randint(1, 2))}
        order = await flow.order(rng.choice("AB"), lines, submit=rng.random() > 0.1)
        roll = rng.random()
        if roll < 0.15:
            await flow.cancel(order)
        elif roll < 0.75:
            placed.append((order, lines))
        if step % 4 == 3 and rng.random() < 0.7:  # some stock arrives: backorders allocate
            await flow.receive(rng.choice(["P1", "P2"]), str(rng.randint(1, 4)))
        if step % 5 == 4:  # a random part of the stream reaches the summaries meanwhile
            await project(sessionmaker, settings)
    for order, lines in placed:
        detail = (await client.get(f"/api/v1/orders/{order}", headers=finance)).json()
        if detail["fulfillment_status"] != "reserved" or rng.random() < 0.3:
            continue
        shipment = await flow.ship(order, lines, None)
        shipped.append(order)
        if rng.random() < 0.7:
            await flow.deliver(shipment)
            if rng.random() < 0.5:
                sku = f"RR-{next(iter(lines))}"
                ret = await request_return(client, auth, detail, {sku: "1"})
                if ret["status"] == "requested":
                    await decide(client, auth, ret)
                await receive(client, auth, ret, {sku: {"restock": "1"}})
    for customer in data.customers.values():
        paid = await client.post(
            "/api/v1/payments",
            headers=finance,
            json={
                "customer_id": customer,
                "amount": str(rng.randint(5, 60)),
                "currency": "CNY",
                "method": "bank_transfer",
            },
        )
        assert paid.status_code == 201, paid.text
    assert shipped, "the sequence shipped nothing"
    await project(sessionmaker, settings)
    incremental = await summaries(sessionmaker)
    await rebuild(sessionmaker)
    assert await summaries(sessionmaker) == incremental


async def test_an_uncommitted_routing_holds_back_only_what_follows_it(
    pg_client, pg_auth, pg_app, pg_engine, unique
) -> None:
    """On PostgreSQL, with real parallel connections: a router that took positions and has not
    committed makes the next router wait for the position counter, so the projector never
    reads a later position before an earlier one is visible; once both commit it has all."""
    sessionmaker = pg_app.state.sessionmaker
    settings = pg_app.state.settings
    tag = f"RP{unique}".upper()[:8]
    await project(sessionmaker, settings)  # whatever earlier tests left
    await master_data(sessionmaker, tag)
    flow = Flow(pg_client, pg_auth, tag)
    await flow.receive("P1", "10")
    first = await flow.order("A", {"P1": "1"})
    async with pg_engine.connect() as conn:
        async with sessionmaker(bind=conn) as session:
            outbox = OutboxRepository(session)
            claimed = await outbox.claim_unrouted(datetime.now(UTC), 1000)
            await outbox.mark_routed(claimed, datetime.now(UTC))  # positions taken, open
            second = await flow.order("B", {"P1": "2"})
            other = asyncio.create_task(route_once(sessionmaker, settings, ROUTES))
            await asyncio.sleep(0.5)
            assert not other.done()  # waits for the counter row
            await project_all(sessionmaker, settings)
            mine = await _facts_of(sessionmaker, [first, second])
            assert mine == set()
            await session.commit()
        await asyncio.wait_for(other, 10)
    await project(sessionmaker, settings)
    assert await _facts_of(sessionmaker, [first, second]) == {first, second}


async def _facts_of(sessionmaker, orders: list[str]) -> set[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(ReportOrderFact.order_id).where(
                ReportOrderFact.order_id.in_([uuid.UUID(o) for o in orders])
            )
        )
        return {str(r) for r in rows}


async def test_lading_check_compares_a_sample_of_the_summaries(
    client, auth, sessionmaker, settings
) -> None:
    data = await build(client, auth, sessionmaker, "RC")
    await project(sessionmaker, settings)
    uow = SqlAlchemyUnitOfWork(sessionmaker)
    assert [v for v in await check_invariants(uow) if v.rule.startswith("report_")] == []
    async with sessionmaker() as session:
        o1 = uuid.UUID(data.orders["O1"])
        await session.execute(
            update(ReportOrderFact).where(ReportOrderFact.order_id == o1).values(units=99)
        )
        await session.execute(
            update(ReportSales)
            .where(ReportSales.dimension == "all")
            .where(ReportSales.period == date(2026, 4, 5))
            .values(net=1)
        )
        await session.commit()
    found = {(v.rule, v.record_id) for v in await check_invariants(uow)}
    assert ("report_fact_mismatch", str(o1)) in found
    assert ("report_sales_mismatch", "2026-04-05") in found
    # Behind the stream, the summaries are rightly older: nothing is compared.
    await Flow(client, auth, "RC").order("A", {"P1": "1"})
    assert not [v for v in await check_invariants(uow) if v.rule.startswith("report_")]
