"""``app.services.stream.follow`` with an in-memory event stream: what a caller is given."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from app.repositories.events import OutboxEvent
from app.services.stream import Delivered, Heartbeat, Passed, StreamLimits, follow


def _event(position: int, event_type: str) -> OutboxEvent:
    return OutboxEvent(
        id=uuid.uuid4(),
        event_type=event_type,
        aggregate_type=event_type.split(".")[0],
        aggregate_id=f"a-{position}",
        payload={"n": position},
        created_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        position=position,
    )


class Stream:
    """The outbox as ``follow`` reads it, through a unit of work made per read."""

    def __init__(self, events: list[OutboxEvent], *, endless: bool = False) -> None:
        self.events = events
        self.endless = endless
        self.reads = 0

    async def after(self, position: int, limit: int) -> list[OutboxEvent]:
        self.reads += 1
        await asyncio.sleep(0)  # a real read suspends (and so a hang would meet the timeout)
        if self.endless:  # a flood: always a full batch more
            return [_event(position + n + 1, "order.updated") for n in range(limit)]
        return [e for e in self.events if (e.position or 0) > position][:limit]

    def __call__(self) -> Any:
        stream = self

        class Uow:
            outbox = stream

            async def __aenter__(self) -> Uow:
                return self

            async def __aexit__(self, *exc: object) -> None:
                return None

        return Uow()


async def _connected() -> bool:
    return False


def limits(**kw: float) -> StreamLimits:
    values: dict[str, Any] = {
        "poll_seconds": 0.01,
        "heartbeat_seconds": 60.0,
        "max_seconds": 0.1,
        "batch_size": 10,
    }
    values.update(kw)
    return StreamLimits(**values)


async def _all(stream: Stream, scopes: frozenset[str], after: int, lim: StreamLimits) -> list:
    async with asyncio.timeout(10):
        return [item async for item in follow(stream, scopes, after, lim, _connected)]


async def test_events_the_caller_may_not_see_are_passed_by_their_id() -> None:
    stream = Stream([_event(1, "order.created"), _event(2, "endpoint.disabled")])
    items = await _all(stream, frozenset({"orders:read"}), 0, limits())
    assert [type(i) for i in items] == [Delivered, Passed]
    delivered, passed = items
    assert delivered.position == 1 and delivered.data["occurred_at"] == "2026-12-02T08:00:00Z"
    assert passed.position == 2
    assert Passed not in [type(i) for i in await _all(stream, frozenset({"admin"}), 0, limits())]


async def test_it_goes_on_after_the_position_given() -> None:
    stream = Stream([_event(n, "order.created") for n in range(1, 6)])
    items = await _all(stream, frozenset({"orders:read"}), 3, limits(batch_size=1))
    assert [i.position for i in items] == [4, 5]


async def test_a_flood_of_events_still_ends_after_max_seconds() -> None:
    stream = Stream([], endless=True)
    items = await _all(stream, frozenset({"orders:read"}), 0, limits(max_seconds=0.05))
    assert items and stream.reads >= 1  # it ended (bounded by the timeout above)


async def test_a_quiet_stream_beats() -> None:
    items = await _all(Stream([]), frozenset(), 0, limits(heartbeat_seconds=0.02))
    assert items and all(isinstance(i, Heartbeat) for i in items)
