"""A case as staff and the customer see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.repositories.base import snapshot
from app.repositories.cases import CaseEntry, CaseLine, ServiceCase
from app.services.unit_of_work import UnitOfWork

HIDDEN = ("customer_token_hash",)


@dataclass(frozen=True)
class CaseView:
    case: ServiceCase
    lines: list[CaseLine]
    entries: list[CaseEntry]
    case_token: str | None = None  # shown once, to the customer who opened it


def image(case: ServiceCase) -> dict[str, Any]:
    """The case without its timeline or secret (audit images and outbox payloads)."""
    return snapshot(case, exclude=HIDDEN)


async def load_view(uow: UnitOfWork, case: ServiceCase, token: str | None = None) -> CaseView:
    return CaseView(case, await uow.cases.lines(case.id), await uow.cases.entries(case.id), token)
