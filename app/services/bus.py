"""The in-transaction message bus.

Commands go to exactly one handler; events go to the handlers the reaction table lists for
their class, which run in the same unit of work, in the order the events were recorded, before
the commit — so a reaction that fails rolls the whole command back. The tables are built in one
place, ``app/bootstrap.py``; this module knows none of them.

A handler takes ``(message, uow, ctx)``. ``ctx`` carries the application's settings (never the
process-wide ``get_settings()``) and the bus itself, for a use case that sends commands of its
own in separate transactions (the batch import).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.adapters.einvoice.base import EInvoiceProvider, LocalEInvoiceProvider
from app.domain.events import Event
from app.settings import Settings

if TYPE_CHECKING:
    from app.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

EventHandler = Callable[[Any, "UnitOfWork", "Context"], Awaitable[None]]
CommandHandler = Callable[[Any, "UnitOfWork", "Context"], Awaitable[Any]]


@dataclass(frozen=True)
class Context:
    settings: Settings
    bus: MessageBus
    einvoice: EInvoiceProvider


class MessageBus:
    def __init__(
        self,
        settings: Settings,
        *,
        commands: Mapping[type, CommandHandler],
        reactions: Mapping[type[Event], Sequence[EventHandler]],
        einvoice: EInvoiceProvider | None = None,
    ) -> None:
        self.settings = settings
        self.commands = dict(commands)
        self.reactions = {kind: tuple(handlers) for kind, handlers in reactions.items()}
        self.context = Context(settings, self, einvoice or LocalEInvoiceProvider())

    async def handle(self, command: Any, uow: UnitOfWork) -> Any:
        """Run the one handler of ``command``'s class; it opens and commits ``uow``."""
        handler = self.commands.get(type(command))
        if handler is None:
            raise LookupError(f"No handler for the command {type(command).__name__}.")
        return await handler(command, uow, self.context)

    def handlers_for(self, event: Event) -> tuple[EventHandler, ...]:
        return self.reactions.get(type(event), ())

    async def dispatch(self, event: Event, uow: UnitOfWork) -> None:
        """Run the reactions to ``event`` inside ``uow``'s transaction (called by the unit of
        work while it publishes, never by a use case)."""
        for handler in self.handlers_for(event):
            log.debug(
                "bus.reaction",
                extra={"event": type(event).__name__, "handler": handler.__qualname__},
            )
            await handler(event, uow, self.context)
