"""Raising and clearing alerts under real concurrency on PostgreSQL: transactions raising the
same alert at once make one row (the partial unique index decides, the losers insert
nothing and fail nothing), and two clearing it at once resolve it once."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.bootstrap import build_bus, unit_of_work
from app.domain.alerts import AlertSpec, Rule
from app.repositories.alerts import Alert
from app.repositories.events import OutboxEvent
from app.services.alerts.raising import clear_alerts, open_alert

pytestmark = pytest.mark.postgres_only


def spec(subject: str) -> AlertSpec:
    return AlertSpec(Rule.WEBHOOK_ENDPOINT_DISABLED, subject, {"url": "u", "reason": "r"})


async def counts(maker, subject: str) -> tuple[int, int, int]:
    """(alerts of the subject, unresolved ones, alert.raised events about it)."""
    async with maker() as session:
        rows = (await session.scalars(select(Alert).where(Alert.subject_id == subject))).all()
        ids = [str(a.id) for a in rows]
        events = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.event_type == "alert.raised", OutboxEvent.aggregate_id.in_(ids))
        )
    return len(rows), sum(a.state != "resolved" for a in rows), int(events or 0)


async def test_raisers_at_once_make_one_alert(pg_engine, settings) -> None:
    maker = async_sessionmaker(pg_engine, expire_on_commit=False)
    bus = build_bus(settings)
    subject = str(uuid.uuid4())
    ready = asyncio.Barrier(8)

    async def raiser() -> bool:
        async with unit_of_work(maker, bus) as uow:
            await uow.session.execute(select(1))  # each holds its own connection
            await ready.wait()
            opened = await open_alert(uow, spec(subject))
            await uow.commit()
        return opened

    results = await asyncio.gather(*(raiser() for _ in range(8)))
    assert sorted(results) == [False] * 7 + [True]
    assert await counts(maker, subject) == (1, 1, 1)


async def test_a_raiser_waiting_on_an_uncommitted_alert_inserts_nothing(
    pg_engine, settings
) -> None:
    """The second raiser's insert waits for the first transaction's row; once it commits the
    second finds the alert there and opens none (no error, no second row)."""
    maker = async_sessionmaker(pg_engine, expire_on_commit=False)
    bus = build_bus(settings)
    subject = str(uuid.uuid4())
    async with unit_of_work(maker, bus) as first:
        assert await open_alert(first, spec(subject)) is True

        async def second() -> bool:
            async with unit_of_work(maker, bus) as uow:
                opened = await open_alert(uow, spec(subject))
                await uow.commit()
            return opened

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.2)  # let it reach the index (the outcome holds either way)
        await first.commit()
    assert await asyncio.wait_for(waiting, 10) is False
    assert await counts(maker, subject) == (1, 1, 1)


async def test_clearers_at_once_resolve_once_and_a_new_alert_may_follow(
    pg_engine, settings
) -> None:
    maker = async_sessionmaker(pg_engine, expire_on_commit=False)
    bus = build_bus(settings)
    subject = str(uuid.uuid4())
    async with unit_of_work(maker, bus) as uow:
        await open_alert(uow, spec(subject))
        await uow.commit()
    ready = asyncio.Barrier(4)

    async def clearer() -> int:
        async with unit_of_work(maker, bus) as uow:
            await uow.session.execute(select(1))
            await ready.wait()
            n = await clear_alerts(
                uow, Rule.WEBHOOK_ENDPOINT_DISABLED, "webhook_endpoint", subject, "enabled"
            )
            await uow.commit()
        return n

    assert sorted(await asyncio.gather(*(clearer() for _ in range(4)))) == [0, 0, 0, 1]
    assert await counts(maker, subject) == (1, 0, 1)
    async with unit_of_work(maker, bus) as uow:
        assert await open_alert(uow, spec(subject)) is True
        await uow.commit()
    assert await counts(maker, subject) == (2, 1, 2)
