"""Writing a case's timeline: every message, note and change is an entry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from app.domain.after_sales.cases import (
    CaseKind,
    CasePriority,
    EntryKind,
    Targets,
    Visibility,
    deadlines,
    targets_for,
)
from app.repositories.base import jsonable
from app.repositories.cases import CaseEntry, ServiceCase
from app.services.bus import Context
from app.services.unit_of_work import UnitOfWork


def add_entry(
    uow: UnitOfWork,
    case: ServiceCase,
    *,
    kind: EntryKind,
    visibility: Visibility,
    author: str,
    body: str = "",
    changes: dict[str, Any] | None = None,
) -> CaseEntry:
    now = datetime.now(UTC)
    entry = CaseEntry(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=kind.value,
        visibility=visibility.value,
        author=author,
        body=body,
        changes=jsonable(changes) if changes else None,
        created_at=now,
    )
    uow.cases.add(entry)
    case.updated_at = now
    case.updated_by = author
    return entry


def set_deadlines(ctx: Context, case: ServiceCase) -> None:
    """The response and resolution targets of the case's kind and priority, from opening."""
    overrides = {key: _targets(hours) for key, hours in ctx.settings.case_targets.items()}
    due = deadlines(
        case.opened_at,
        targets_for(CaseKind(case.kind), CasePriority(case.priority), overrides),
    )
    case.response_due_at = due.response_due_at
    case.resolution_due_at = due.resolution_due_at


def _targets(hours: tuple[float, float]) -> Targets:
    return Targets(timedelta(hours=hours[0]), timedelta(hours=hours[1]))
