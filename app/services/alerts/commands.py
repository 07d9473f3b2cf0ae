"""Commands of the alerts: staff acknowledging and resolving, the worker's scan."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from app.domain.alerts import Rule
from app.domain.auth import Principal

# Subjects (or unresolved alerts) the scan handles per transaction.
SCAN_BATCH = 200


@dataclass(frozen=True, kw_only=True)
class AcknowledgeAlert:
    principal: Principal
    alert_id: uuid.UUID


@dataclass(frozen=True, kw_only=True)
class ResolveAlert:
    principal: Principal
    alert_id: uuid.UUID
    reason: str


@dataclass(frozen=True, kw_only=True)
class RaiseDueAlerts:
    """Raise ``rule``'s alert for up to ``batch`` subjects meeting its condition, by id after
    ``after``; ``now`` (default: when handled) decides what is due."""

    principal: Principal
    rule: Rule
    after: uuid.UUID | None = None
    batch: int = SCAN_BATCH
    now: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class ResolveClearedAlerts:
    """Resolve automatically the unresolved alerts of ``rule`` (up to ``batch``, by id after
    ``after``) whose condition no longer holds."""

    principal: Principal
    rule: Rule
    after: uuid.UUID | None = None
    batch: int = SCAN_BATCH
    now: datetime | None = None


@dataclass(frozen=True)
class ScanBatch:
    """What one batch did, and where the next starts (None: the rule is done)."""

    changed: int
    next_after: uuid.UUID | None
