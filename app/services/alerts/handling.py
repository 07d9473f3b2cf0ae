"""Staff acting on an alert: acknowledging it (someone is on it) and resolving it by hand."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from app.domain import alerts as domain
from app.domain.alerts import AlertState, Resolution
from app.domain.events import AlertAcknowledged, AlertResolved
from app.repositories.alerts import Alert
from app.repositories.base import snapshot
from app.services.alerts.commands import AcknowledgeAlert, ResolveAlert
from app.services.alerts.raising import payload, resolve_row
from app.services.bus import Context
from app.services.common import retrying
from app.services.unit_of_work import UnitOfWork


@retrying
async def acknowledge_alert(cmd: AcknowledgeAlert, uow: UnitOfWork, ctx: Context) -> Alert:
    """An open alert becomes acknowledged (409 ``invalid_state`` otherwise)."""

    def acknowledge(alert: Alert) -> None:
        alert.state = domain.acknowledge(AlertState(alert.state)).value
        alert.acknowledged_at = datetime.now(UTC)
        alert.acknowledged_by = cmd.principal.actor

    return await _change(uow, cmd.alert_id, cmd.principal.actor, acknowledge, AlertAcknowledged)


@retrying
async def resolve_alert(cmd: ResolveAlert, uow: UnitOfWork, ctx: Context) -> Alert:
    """An open or acknowledged alert is resolved by hand with a reason (409
    ``already_resolved`` for a resolved one)."""

    def resolve(alert: Alert) -> None:
        domain.resolve(AlertState(alert.state), cmd.reason)
        resolve_row(
            alert,
            resolution=Resolution.MANUAL,
            by=cmd.principal.actor,
            reason=cmd.reason.strip(),
            at=datetime.now(UTC),
        )

    return await _change(uow, cmd.alert_id, cmd.principal.actor, resolve, AlertResolved)


async def _change(
    uow: UnitOfWork,
    alert_id: uuid.UUID,
    actor: str,
    change: Callable[[Alert], None],
    event: type[AlertAcknowledged | AlertResolved],
) -> Alert:
    """Lock the alert, change it, record the change (audited, onto the stream)."""
    async with uow:
        alert = await uow.alerts.get_for_update_or_raise(alert_id)
        before = snapshot(alert)
        change(alert)
        await uow.flush()
        uow.record(
            event(
                actor=actor,
                entity_id=alert.id,
                before=before,
                after=snapshot(alert),
                payload=payload(alert),
            )
        )
        await uow.commit()
    return alert
