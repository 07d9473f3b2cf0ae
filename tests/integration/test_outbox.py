"""Routing: pending outbox events are numbered onto the event stream in commit order and handed
to the routes in one transaction; a failing event waits with back-off without holding others."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.repositories.events import OutboxEvent
from app.repositories.outbox import OutboxRepository
from app.worker.routing import route_once


async def _add_events(sessionmaker, count: int, kind: str = "warehouse.created") -> list[uuid.UUID]:
    ids = []
    async with sessionmaker() as session:
        for n in range(count):
            event = OutboxEvent(
                event_type=kind,
                aggregate_type="warehouse",
                aggregate_id=f"w-{n}",
                payload={"code": f"W{n}", "name": "上海"},
                created_at=datetime.now(UTC) + timedelta(microseconds=n),
            )
            session.add(event)
            await session.flush()
            ids.append(event.id)
        await session.commit()
    return ids


async def _load(sessionmaker, ids: Sequence[uuid.UUID]) -> list[OutboxEvent]:
    async with sessionmaker() as session:
        rows = (await session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(ids)))).all()
    by_id = {r.id: r for r in rows}
    return [by_id[i] for i in ids]


class _Route:
    """Records what it was given; fails on the events whose aggregate id it is told to."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.seen: list[list[uuid.UUID]] = []
        self.fail_on = fail_on

    async def __call__(self, session, events, settings) -> None:
        self.seen.append([e.id for e in events])
        if any(e.aggregate_id == self.fail_on for e in events):
            raise ValueError("this event cannot be routed")


async def test_events_are_routed_in_order_with_increasing_positions(sessionmaker, settings) -> None:
    ids = await _add_events(sessionmaker, 3)
    route = _Route()
    assert await route_once(sessionmaker, settings, [route]) >= 3
    assert [i for i in route.seen[0] if i in ids] == ids
    rows = await _load(sessionmaker, ids)
    assert all(r.status == "routed" and r.sent_at is not None for r in rows)
    positions = [r.position for r in rows]
    assert positions == sorted(positions) and len(set(positions)) == 3
    # Read back by position: a reader that goes on from the last it saw gets the rest.
    async with sessionmaker() as session:
        after = await OutboxRepository(session).after(positions[0], 10)
    assert [e.id for e in after][:2] == ids[1:]
    # Routed once: the next round has nothing of these.
    again = _Route()
    await route_once(sessionmaker, settings, [again])
    assert not any(i in ids for seen in again.seen for i in seen)


async def test_a_failing_event_waits_with_back_off_and_the_others_go_on(
    sessionmaker, settings
) -> None:
    ids = await _add_events(sessionmaker, 3)
    route = _Route(fail_on="w-1")
    before = datetime.now(UTC)
    await route_once(sessionmaker, settings, [route], rand=random.Random(1))
    good, bad, other = await _load(sessionmaker, ids)
    assert good.status == other.status == "routed"
    assert bad.status == "pending" and bad.position is None and bad.attempts == 1
    assert "cannot be routed" in (bad.last_error or "")
    assert bad.available_at > before  # not again at once


async def test_an_event_that_never_routes_is_dead_after_the_last_attempt(
    sessionmaker, settings
) -> None:
    (event_id,) = await _add_events(sessionmaker, 1, kind="broken.event")
    few = settings.model_copy(update={"dispatcher_max_attempts": 2})
    route = _Route(fail_on="w-0")
    for _ in range(2):
        async with sessionmaker() as session:
            row = await session.get(OutboxEvent, event_id)
            row.available_at = datetime.now(UTC) - timedelta(seconds=1)
            await session.commit()
        await route_once(sessionmaker, few, [route])
    (row,) = await _load(sessionmaker, [event_id])
    assert row.status == "dead" and row.attempts == 2 and row.position is None


@pytest.mark.postgres_only
async def test_positions_are_given_in_commit_order(pg_engine) -> None:
    """The counter's row lock: a second transaction asking for positions waits until the first
    commits, so no reader ever sees a later position before an earlier one is committed."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    maker = async_sessionmaker(pg_engine, expire_on_commit=False)
    async with maker() as first:
        mine = await OutboxRepository(first).take_positions(5)

        async def second() -> range:
            async with maker() as session:
                taken = await OutboxRepository(session).take_positions(1)
                await session.commit()
                return taken

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0.3)
        assert not waiting.done()  # blocked on the counter row
        await first.commit()
    theirs = await asyncio.wait_for(waiting, 5)
    assert theirs.start == mine.stop


@pytest.mark.postgres_only
async def test_two_routers_at_once_route_each_event_once(pg_engine, settings) -> None:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    maker = async_sessionmaker(pg_engine, expire_on_commit=False)
    ids = await _add_events(maker, 40)
    small = settings.model_copy(update={"dispatcher_batch_size": 5})
    routes = [_Route(), _Route()]

    async def router(route: _Route) -> None:
        for _ in range(100):
            if not await route_once(maker, small, [route]):
                return

    await asyncio.gather(*(router(r) for r in routes))
    seen = [i for r in routes for batch in r.seen for i in batch if i in ids]
    assert sorted(seen) == sorted(ids)  # each event routed by one router, once
    rows = await _load(maker, ids)
    positions = [r.position for r in rows]
    assert None not in positions and len(set(positions)) == len(ids)
