"""Service cases (售后工单): kinds, priorities, the states a case moves through, its response
and resolution targets, and what an attachment may be.

States: open → in_progress → waiting_customer → resolved → closed. Work may go back and forth
between in_progress and waiting_customer; a resolved case may be reopened (back to
in_progress) until it is closed; closed is final. Resolving needs a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.errors import InvalidState, RuleViolation


class CaseKind(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REPLACEMENT = "replacement"
    COMPLAINT = "complaint"
    INQUIRY = "inquiry"


class CasePriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CaseState(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CaseSource(StrEnum):
    STAFF = "staff"
    API = "api"
    TRACKING_PAGE = "tracking_page"


class EntryKind(StrEnum):
    """A timeline entry: a message (to or from the customer), an internal note, or a change
    the system recorded (state, assignee, priority)."""

    MESSAGE = "message"
    NOTE = "note"
    CHANGE = "change"


class Visibility(StrEnum):
    INTERNAL = "internal"
    CUSTOMER = "customer"


_NEXT: dict[CaseState, frozenset[CaseState]] = {
    CaseState.OPEN: frozenset(
        {CaseState.IN_PROGRESS, CaseState.WAITING_CUSTOMER, CaseState.RESOLVED}
    ),
    CaseState.IN_PROGRESS: frozenset({CaseState.WAITING_CUSTOMER, CaseState.RESOLVED}),
    CaseState.WAITING_CUSTOMER: frozenset({CaseState.IN_PROGRESS, CaseState.RESOLVED}),
    CaseState.RESOLVED: frozenset({CaseState.IN_PROGRESS, CaseState.CLOSED}),
    CaseState.CLOSED: frozenset(),
}
OPEN_STATES = frozenset({CaseState.OPEN, CaseState.IN_PROGRESS, CaseState.WAITING_CUSTOMER})


def format_case_number(year: int, sequence: int) -> str:
    """``SC-2026-000123``."""
    return f"SC-{year:04d}-{sequence:06d}"


def check_transition(before: CaseState, after: CaseState, reason: str | None) -> None:
    """A case moves only along the allowed transitions; resolving needs a reason."""
    if after not in _NEXT[before]:
        raise InvalidState(
            f"A case that is {before.value} cannot become {after.value}.",
            code="invalid_case_transition",
        )
    if after is CaseState.RESOLVED and not (reason and reason.strip()):
        raise RuleViolation.on("reason", "required", "Resolving a case needs a reason.")


@dataclass(frozen=True)
class Targets:
    """How soon a case is first answered, and how soon it is resolved, after it opens."""

    response: timedelta
    resolution: timedelta


DEFAULT_TARGETS: Mapping[CasePriority, Targets] = {
    CasePriority.URGENT: Targets(timedelta(hours=1), timedelta(hours=24)),
    CasePriority.HIGH: Targets(timedelta(hours=4), timedelta(hours=48)),
    CasePriority.NORMAL: Targets(timedelta(hours=8), timedelta(days=5)),
    CasePriority.LOW: Targets(timedelta(hours=24), timedelta(days=10)),
}


def targets_for(
    kind: CaseKind, priority: CasePriority, overrides: Mapping[str, Targets] | None = None
) -> Targets:
    """The targets of a case: an override for ``kind.priority``, else for ``priority`` (any
    kind), else the default of the priority."""
    overrides = overrides or {}
    return (
        overrides.get(f"{kind.value}.{priority.value}")
        or overrides.get(priority.value)
        or DEFAULT_TARGETS[priority]
    )


@dataclass(frozen=True)
class Deadlines:
    response_due_at: datetime
    resolution_due_at: datetime


def deadlines(opened_at: datetime, targets: Targets) -> Deadlines:
    return Deadlines(opened_at + targets.response, opened_at + targets.resolution)


class Target(StrEnum):
    """The targets a case can miss."""

    RESPONSE = "response"
    RESOLUTION = "resolution"


@dataclass(frozen=True)
class Miss:
    target: Target
    due_at: datetime


def missed_target(
    state: CaseState,
    due: Deadlines,
    *,
    first_response_at: datetime | None,
    now: datetime,
) -> Miss | None:
    """The target an unresolved case has missed by ``now``: its resolution target (the
    bigger miss) before its response target, which only a case not answered yet can miss.
    None when the case is within its targets, or resolved or closed."""
    if state not in OPEN_STATES:
        return None
    if now > due.resolution_due_at:
        return Miss(Target.RESOLUTION, due.resolution_due_at)
    if first_response_at is None and now > due.response_due_at:
        return Miss(Target.RESPONSE, due.response_due_at)
    return None


def is_overdue(
    state: CaseState,
    due: Deadlines,
    *,
    first_response_at: datetime | None,
    now: datetime,
) -> bool:
    """An unresolved case past its resolution target, or not answered by its response
    target. A resolved or closed case is never overdue."""
    return missed_target(state, due, first_response_at=first_response_at, now=now) is not None


# Attachments: photos of damage and documents, by their content's own signature.
ATTACHMENT_TYPES: Mapping[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/webp": (b"RIFF",),
    "application/pdf": (b"%PDF-",),
}


def check_attachment(content_type: str, data: bytes, max_bytes: int) -> None:
    """An attachment is one of the allowed types, its bytes are of that type (not only its
    name or header), it is not empty and not over ``max_bytes``."""
    if content_type not in ATTACHMENT_TYPES:
        allowed = ", ".join(ATTACHMENT_TYPES)
        raise RuleViolation.on(
            "file", "content_type", f"{content_type or 'This type'} is not allowed ({allowed})."
        )
    if not data:
        raise RuleViolation.on("file", "not_empty", "The attachment is empty.")
    if len(data) > max_bytes:
        raise RuleViolation.on(
            "file", "max_size", f"The attachment exceeds the limit of {max_bytes} bytes."
        )
    signatures = ATTACHMENT_TYPES[content_type]
    if not any(data.startswith(s) for s in signatures) or (
        content_type == "image/webp" and data[8:12] != b"WEBP"
    ):
        raise RuleViolation.on("file", "content_type", f"The file's content is not {content_type}.")
