"""The message bus over the in-memory unit of work (tests/fakes.py): one handler per command,
reactions in table order, events recorded by reactions dispatched after (FIFO) and before the
commit, a failing reaction means no commit, results reach the publisher, images given as
functions are evaluated after the reactions, unaudited events write no row."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from app.domain.events import Event
from app.services.bus import Context, MessageBus
from tests.conftest import make_settings
from tests.fakes import FakeUnitOfWork

SETTINGS = make_settings("sqlite+aiosqlite://")


@dataclass(frozen=True, kw_only=True)
class Happened(Event):
    entity_type: str = "thing"
    action: str = "happened"
    topic: str | None = "thing.happened"


@dataclass(frozen=True, kw_only=True)
class Followed(Event):
    entity_type: str = "thing"
    action: str = "followed"


@dataclass(frozen=True, kw_only=True)
class Signal(Event):
    entity_type: str = "thing"
    action: str = "signalled"
    audited: bool = False


@dataclass(frozen=True, kw_only=True)
class DoIt:
    name: str


@dataclass(frozen=True, kw_only=True)
class Unregistered:
    pass


def an_id() -> uuid.UUID:
    return uuid.uuid4()


Handler = Callable[[Any, Any, Context], Awaitable[None]]


def noting(log: list[str], label: str) -> Handler:
    async def handler(event: Any, uow: Any, ctx: Context) -> None:
        log.append(f"{label}:{type(event).__name__}")

    handler.__qualname__ = label
    return handler


def bus_of(
    reactions: dict[type[Event], list[Handler]] | None = None,
    commands: dict[type, Any] | None = None,
) -> MessageBus:
    return MessageBus(SETTINGS, commands=commands or {}, reactions=reactions or {})


async def test_a_command_goes_to_its_one_handler_with_the_bus_context() -> None:
    seen: list[tuple[str, Any, Context]] = []

    async def do_it(cmd: DoIt, uow: FakeUnitOfWork, ctx: Context) -> str:
        seen.append((cmd.name, uow, ctx))
        return f"done {cmd.name}"

    bus = bus_of(commands={DoIt: do_it})
    uow = FakeUnitOfWork(bus)
    assert await bus.handle(DoIt(name="x"), uow) == "done x"
    [(name, got_uow, ctx)] = seen
    assert name == "x" and got_uow is uow
    assert ctx.bus is bus and ctx.settings is SETTINGS


async def test_an_unknown_command_is_a_lookup_error() -> None:
    bus = bus_of(commands={DoIt: noting([], "do")})
    with pytest.raises(LookupError, match="Unregistered"):
        await bus.handle(Unregistered(), FakeUnitOfWork(bus))


async def test_an_event_without_reactions_is_only_written() -> None:
    bus = bus_of()
    uow = FakeUnitOfWork(bus)
    async with uow:
        uow.record(Happened(actor="u", entity_id=an_id(), after={"a": 1}))
        await uow.commit()
    assert [r.action for r in uow.audit] == ["happened"]
    assert [r.event_type for r in uow.outbox] == ["thing.happened"]
    assert uow.outbox[0].payload == {"a": 1}


async def test_reactions_run_in_table_order() -> None:
    log: list[str] = []
    bus = bus_of({Happened: [noting(log, "first"), noting(log, "second"), noting(log, "third")]})
    uow = FakeUnitOfWork(bus)
    async with uow:
        uow.record(Happened(actor="u", entity_id=an_id()))
        await uow.commit()
    assert log == ["first:Happened", "second:Happened", "third:Happened"]


async def test_events_recorded_by_reactions_are_dispatched_after_fifo_before_commit() -> None:
    log: list[str] = []

    async def follow_up(event: Happened, uow: FakeUnitOfWork, ctx: Context) -> None:
        log.append(f"happened:{event.entity_id}")
        uow.record(Followed(actor=event.actor, entity_id=f"{event.entity_id}-a"))
        uow.record(Followed(actor=event.actor, entity_id=f"{event.entity_id}-b"))

    async def on_followed(event: Followed, uow: FakeUnitOfWork, ctx: Context) -> None:
        assert uow.committed == 0  # still inside the command's transaction
        log.append(f"followed:{event.entity_id}")

    bus = bus_of({Happened: [follow_up], Followed: [on_followed]})
    uow = FakeUnitOfWork(bus)
    async with uow:
        uow.record(Happened(actor="u", entity_id="1"))
        uow.record(Happened(actor="u", entity_id="2"))
        await uow.commit()
    # The two recorded first are handled first, then what their reactions recorded, in order.
    assert log == [
        "happened:1",
        "happened:2",
        "followed:1-a",
        "followed:1-b",
        "followed:2-a",
        "followed:2-b",
    ]
    assert uow.committed == 1
    # Rows are written in the order the events were handled.
    assert [r.entity_id for r in uow.audit] == ["1", "2", "1-a", "1-b", "2-a", "2-b"]


async def test_a_failing_reaction_means_the_command_never_commits() -> None:
    log: list[str] = []

    async def boom(event: Event, uow: FakeUnitOfWork, ctx: Context) -> None:
        raise RuntimeError("reaction failed")

    async def do_it(cmd: DoIt, uow: FakeUnitOfWork, ctx: Context) -> None:
        async with uow:
            uow.record(Happened(actor="u", entity_id=an_id()))
            await uow.commit()

    bus = bus_of({Happened: [noting(log, "before"), boom, noting(log, "after")]}, {DoIt: do_it})
    uow = FakeUnitOfWork(bus)
    with pytest.raises(RuntimeError, match="reaction failed"):
        await bus.handle(DoIt(name="x"), uow)
    assert log == ["before:Happened"]  # the handlers after the failing one did not run
    assert uow.committed == 0
    assert uow.audit == [] and uow.outbox == []


async def test_a_reaction_failing_on_a_follow_up_event_also_rolls_back_everything() -> None:
    async def follow_up(event: Happened, uow: FakeUnitOfWork, ctx: Context) -> None:
        uow.record(Followed(actor="u", entity_id="f"))

    async def boom(event: Followed, uow: FakeUnitOfWork, ctx: Context) -> None:
        raise ValueError("no")

    bus = bus_of({Happened: [follow_up], Followed: [boom]})
    uow = FakeUnitOfWork(bus)
    with pytest.raises(ValueError):
        async with uow:
            uow.record(Happened(actor="u", entity_id="h"))
            await uow.commit()
    assert uow.committed == 0 and uow.rolled_back == 1
    assert uow.audit == [] and uow.outbox == []


async def test_results_of_reactions_reach_the_publisher() -> None:
    async def drafts(event: Happened, uow: FakeUnitOfWork, ctx: Context) -> None:
        event.results.append("TR-1")

    async def counts(event: Happened, uow: FakeUnitOfWork, ctx: Context) -> None:
        event.results.append(2)

    bus = bus_of({Happened: [drafts, counts]})
    uow = FakeUnitOfWork(bus)
    event = Happened(actor="u", entity_id=an_id())
    async with uow:
        uow.record(event)
        await uow.commit()
    assert event.results == ["TR-1", 2]


async def test_images_given_as_functions_are_evaluated_after_the_reactions() -> None:
    record = {"status": "approved", "reserved": 0}

    async def allocate(event: Happened, uow: FakeUnitOfWork, ctx: Context) -> None:
        record["reserved"] = 5

    bus = bus_of({Happened: [allocate]})
    uow = FakeUnitOfWork(bus)
    async with uow:
        uow.record(
            Happened(
                actor="u",
                entity_id="o-1",
                before={"reserved": 0},
                after=lambda: dict(record),
                payload=lambda: {"reserved": record["reserved"]},
            )
        )
        await uow.commit()
    [row] = uow.audit
    assert row.before == {"reserved": 0}
    assert row.after == {"status": "approved", "reserved": 5}
    assert uow.outbox[0].payload == {"reserved": 5}


async def test_the_outbox_payload_defaults_to_the_after_then_the_before_image() -> None:
    bus = bus_of()
    uow = FakeUnitOfWork(bus)
    async with uow:
        uow.record(Happened(actor="u", entity_id="a", after={"v": 2}, before={"v": 1}))
        uow.record(Happened(actor="u", entity_id="b", before={"v": 1}))
        uow.record(Happened(actor="u", entity_id="c"))
        await uow.commit()
    assert [r.payload for r in uow.outbox] == [{"v": 2}, {"v": 1}, {}]


async def test_unaudited_events_write_no_row_but_are_reacted_to() -> None:
    log: list[str] = []
    bus = bus_of({Signal: [noting(log, "seen")]})
    uow = FakeUnitOfWork(bus)
    async with uow:
        uow.record(Signal(actor="u", entity_id=an_id(), topic=None))
        await uow.commit()
    assert log == ["seen:Signal"]
    assert uow.audit == [] and uow.outbox == []
    assert uow.committed == 1


async def test_an_event_without_a_topic_writes_the_audit_row_only() -> None:
    bus = bus_of()
    uow = FakeUnitOfWork(bus)
    async with uow:
        uow.record(Followed(actor="u", entity_id="x", after={"a": 1}))
        await uow.commit()
    assert [(r.action, r.after) for r in uow.audit] == [("followed", {"a": 1})]
    assert uow.outbox == []


async def test_publish_runs_reactions_before_the_commit_and_commit_finds_nothing_left() -> None:
    log: list[str] = []
    bus = bus_of({Happened: [noting(log, "r")]})
    uow = FakeUnitOfWork(bus)
    async with uow:
        uow.record(Happened(actor="u", entity_id="x"))
        await uow.publish()
        assert log == ["r:Happened"] and uow.recorded == [] and uow.committed == 0
        await uow.commit()
    assert log == ["r:Happened"]  # not dispatched twice
    assert len(uow.audit) == 1


async def test_the_sqlalchemy_unit_of_work_refuses_events_without_a_bus() -> None:
    from app.repositories.uow import SqlAlchemyUnitOfWork

    uow = SqlAlchemyUnitOfWork(lambda: None)  # type: ignore[arg-type, return-value]
    uow.record(Happened(actor="u", entity_id="x"))
    with pytest.raises(RuntimeError, match="without a message bus"):
        await uow.publish()


def test_handlers_for_an_event_class_come_from_the_table_only() -> None:
    first, second = noting([], "a"), noting([], "b")
    bus = bus_of({Happened: [first, second]})
    assert bus.handlers_for(Happened(actor="u", entity_id="x")) == (first, second)
    assert bus.handlers_for(Followed(actor="u", entity_id="x")) == ()
