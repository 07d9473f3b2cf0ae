"""Raising and clearing alerts inside a command's unit of work (reactions, the scan, the API).

Both record the alert's events through the unit of work, so each change is audited and goes
out through the outbox with the payload every consumer reads (:func:`payload`)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from app.domain.alerts import AlertSpec, AlertState, Resolution, Rule
from app.domain.events import AlertRaised, AlertResolved
from app.repositories.alerts import Alert
from app.repositories.base import jsonable, snapshot
from app.services.unit_of_work import UnitOfWork

AUTO_RESOLVER = "system"


def payload(alert: Alert) -> dict[str, Any]:
    """The outbox payload of every alert event (webhooks, notifications, the stream)."""
    return {
        "id": str(alert.id),
        "rule": alert.rule,
        "severity": alert.severity,
        "role": alert.role,
        "state": alert.state,
        "subject_type": alert.subject_type,
        "subject_id": alert.subject_id,
        "message": alert.message,
        "link": alert.link,
        "opened_at": alert.opened_at.isoformat(),
    }


async def open_alert(uow: UnitOfWork, spec: AlertSpec) -> bool:
    """Open the alert ``spec`` describes unless one of its rule and subject is unresolved;
    True when a new alert was opened (and ``alert.raised`` recorded)."""
    alert = await uow.alerts.insert_open(
        {
            "id": uuid.uuid4(),
            "rule": spec.rule.value,
            "subject_type": spec.subject_type,
            "subject_id": spec.subject_id,
            "severity": spec.spec.severity.value,
            "role": spec.acting_role.value,
            "message": spec.message,
            "link": spec.link,
            "details": jsonable(dict(spec.details)),
            "opened_at": datetime.now(UTC),
            "opened_by": spec.actor,
        }
    )
    if alert is None:
        return False
    uow.record(
        AlertRaised(
            actor=spec.actor, entity_id=alert.id, after=snapshot(alert), payload=payload(alert)
        )
    )
    return True


async def clear_alerts(
    uow: UnitOfWork,
    rule: Rule | str,
    subject_type: str,
    subject_id: str | uuid.UUID,
    reason: str,
    *,
    actor: str = AUTO_RESOLVER,
) -> int:
    """Resolve automatically the unresolved alert of ``rule`` about the subject, because its
    condition cleared (``reason`` says how); how many were resolved (0 or 1)."""
    now = datetime.now(UTC)
    alerts = await uow.alerts.unresolved_of(str(rule), subject_type, str(subject_id))
    for alert in alerts:
        before = snapshot(alert)
        resolve_row(alert, resolution=Resolution.AUTO, by=actor, reason=reason, at=now)
        await uow.flush()
        uow.record(
            AlertResolved(
                actor=actor,
                entity_id=alert.id,
                before=before,
                after=snapshot(alert),
                payload=payload(alert),
            )
        )
    return len(alerts)


def resolve_row(
    alert: Alert, *, resolution: Resolution, by: str, reason: str, at: datetime
) -> None:
    alert.state = AlertState.RESOLVED.value
    alert.resolved_at = at
    alert.resolved_by = by
    alert.resolution = resolution.value
    alert.resolution_reason = reason[:500]
