"""Readiness: is the database reachable, and is its schema at the newest migration?"""

from __future__ import annotations

from dataclasses import dataclass

from app.migrate import head_revisions
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Readiness:
    reachable: bool
    current: frozenset[str]
    heads: frozenset[str]

    @property
    def ready(self) -> bool:
        return self.reachable and self.current == self.heads


async def readiness(uow: UnitOfWork) -> Readiness:
    heads = head_revisions()
    try:
        async with uow:
            current = frozenset(await uow.schema_revisions())
    except Exception:
        return Readiness(False, frozenset(), heads)
    return Readiness(True, current, heads)
