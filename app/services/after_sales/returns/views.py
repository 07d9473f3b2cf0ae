"""A return as the API and its events show it: the return with its lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.repositories.returns import Return, ReturnLine, return_image
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ReturnView:
    ret: Return
    lines: list[ReturnLine]


@dataclass(frozen=True)
class ReturnResult:
    """A request's answer: the return, and whether this request created it (False: replayed
    under its Idempotency-Key)."""

    view: ReturnView
    created: bool = True


def image(view: ReturnView) -> dict[str, Any]:
    """The return and its lines, JSON-safe (audit images and outbox payloads)."""
    return return_image(view.ret, view.lines)


async def load_view(uow: UnitOfWork, ret: Return) -> ReturnView:
    return ReturnView(ret, await uow.returns.lines(ret.id))
