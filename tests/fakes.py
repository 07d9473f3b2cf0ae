"""An in-memory unit of work for the tests of the message bus and the reaction table.

``FakeUnitOfWork`` implements the part of ``app.services.unit_of_work.UnitOfWork`` the bus needs
— ``record``/``publish``/``commit``/``flush`` and the context manager — the way
``SqlAlchemyUnitOfWork`` does it (``commit`` publishes first; for each recorded event, in order,
the bus runs its reactions, then the rows are written; events the reactions record go to the
back of the queue), with the audit and outbox rows kept in lists instead of tables. It has no
repositories: handlers under test over it work on the events and on what the test gives them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from app.domain.events import Event
from app.repositories.uow import Reactions


@dataclass
class AuditRow:
    entity_type: str
    entity_id: str
    action: str
    actor: str
    before: Any
    after: Any


@dataclass
class OutboxRow:
    event_type: str
    aggregate_type: str
    aggregate_id: str
    payload: Any


@dataclass
class FakeUnitOfWork:
    """Records events, runs the bus's reactions on ``publish``, keeps the rows it would write.

    ``committed`` counts commits; the rows of a unit of work that never committed are dropped
    when it exits (as the database's rollback drops them), so a test reads ``audit``/``outbox``
    after the ``async with`` to see what really stayed."""

    bus: Reactions | None = None
    committed: int = 0
    rolled_back: int = 0
    flushed: int = 0
    audit: list[AuditRow] = field(default_factory=list)
    outbox: list[OutboxRow] = field(default_factory=list)
    dispatched: list[Event] = field(default_factory=list)
    _events: list[Event] = field(default_factory=list)
    _pending_audit: list[AuditRow] = field(default_factory=list)
    _pending_outbox: list[OutboxRow] = field(default_factory=list)

    async def __aenter__(self) -> FakeUnitOfWork:
        self._events = []
        self._pending_audit = []
        self._pending_outbox = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pending_audit or self._pending_outbox or self._events:
            self.rolled_back += 1
        self._events = []
        self._pending_audit = []
        self._pending_outbox = []

    def record(self, event: Event) -> None:
        self._events.append(event)

    @property
    def recorded(self) -> list[Event]:
        """Events recorded and not yet published."""
        return list(self._events)

    async def publish(self) -> None:
        while self._events:
            event = self._events.pop(0)
            if self.bus is None:
                raise RuntimeError(f"{type(event).__name__} recorded without a message bus")
            self.dispatched.append(event)
            await self.bus.dispatch(event, self)
            self._write(event)

    def _write(self, event: Event) -> None:
        if event.audited:
            before, after = event.images()
            self._pending_audit.append(
                AuditRow(
                    event.entity_type,
                    str(event.entity_id),
                    event.action,
                    event.actor,
                    None if before is None else dict(before),
                    None if after is None else dict(after),
                )
            )
        if event.topic is not None:
            self._pending_outbox.append(
                OutboxRow(
                    event.topic,
                    event.entity_type,
                    str(event.entity_id),
                    dict(event.outbox_payload()),
                )
            )

    async def commit(self) -> None:
        await self.publish()
        self.audit.extend(self._pending_audit)
        self.outbox.extend(self._pending_outbox)
        self._pending_audit = []
        self._pending_outbox = []
        self.committed += 1

    async def cached(self, tag: str, key: str, load: Any) -> Any:
        return await load()  # no cache: every read is fresh

    async def flush(self) -> None:
        self.flushed += 1

    def forget(self) -> None:
        pass


class Reached(Exception):
    """A handler reached for a repository of a :class:`ProbingUnitOfWork`."""

    def __init__(self, repository: str, method: str, args: tuple[Any, ...], kwargs: Any) -> None:
        super().__init__(f"uow.{repository}.{method}")
        self.repository = repository
        self.method = method
        self.args = args
        self.kwargs = kwargs

    def mentions(self, value: Any) -> bool:
        """Whether ``value`` is among the call's arguments (or inside a list/tuple of them)."""
        values = [*self.args, *self.kwargs.values()]
        return any(v == value or (isinstance(v, list | tuple) and value in v) for v in values)


class _Probe:
    def __init__(self, repository: str) -> None:
        self.repository = repository

    def __getattr__(self, method: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            raise Reached(self.repository, method, args, kwargs)

        return call


@dataclass
class ProbingUnitOfWork(FakeUnitOfWork):
    """A fake unit of work whose every repository (``uow.orders``, ``uow.stock``, ...) stops
    the handler at its first call with :class:`Reached`, naming the repository, the method and
    the arguments: enough to see that a real reaction of the table ran and what it loads first,
    without a database."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Probe(name)


@dataclass
class FakeStorefrontGateway:
    """A shop that records every call back (``app.adapters.storefronts.base``'s port) and
    answers as the real ones do; ``fail_with`` makes the next calls raise it."""

    platform: str = "shopify"
    calls: list[tuple[str, Any]] = field(default_factory=list)
    fail_with: Exception | None = None

    def _call(self, name: str, value: Any) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.calls.append((name, value))

    async def fulfil(self, access: Any, notice: Any) -> str:
        self._call("fulfil", notice)
        return f"gid://shopify/Fulfillment/{len(self.calls)}"

    async def delivered(self, access: Any, notice: Any) -> None:
        self._call("delivered", notice)

    async def cancel(self, access: Any, order_id: str, reason: str) -> None:
        self._call("cancel", (order_id, reason))

    async def set_stock(self, access: Any, levels: Any, *, push_id: str | None = None) -> Any:
        from app.adapters.storefronts.base import StockPushResult

        self._call("set_stock", list(levels))
        return StockPushResult(updated=tuple(x.sku for x in levels))
