"""Exception alerts (预警): what needs someone, for the role that should act."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from app.deps import AUTHENTICATED, BusDep, PageDep, UowDep, requires
from app.domain.alerts import AlertState, Rule, Severity
from app.domain.auth import Principal, Role
from app.errors import problem_responses
from app.schemas.alerts import AlertRead, AlertResolve
from app.schemas.common import Page
from app.services.alerts import queries
from app.services.alerts.commands import AcknowledgeAlert

router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"], dependencies=AUTHENTICATED)
Reader = Annotated[Principal, Depends(requires("alerts:read"))]
Writer = Annotated[Principal, Depends(requires("alerts:write"))]


def alert_read(alert: Any) -> AlertRead:
    return AlertRead.model_validate(alert)


@router.get(
    "",
    response_model=Page[AlertRead],
    summary="List alerts",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    state: AlertState | None = None,
    rule: Rule | None = None,
    severity: Severity | None = None,
    role: Annotated[Role | None, Query(description="The role that should act")] = None,
    subject_type: Annotated[str | None, Query(max_length=32)] = None,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    opened_since: Annotated[
        datetime | None, Query(description="Opened at or after this time (RFC 3339)")
    ] = None,
) -> Page[AlertRead]:
    """Alerts, newest first, by state, rule, severity, role, subject or opening time."""
    f = queries.AlertFilter(
        state=state.value if state else None,
        rule=rule.value if rule else None,
        severity=severity.value if severity else None,
        role=role.value if role else None,
        subject_type=subject_type,
        subject_id=subject_id,
        opened_since=opened_since,
    )
    result = await queries.list_alerts(uow, f, limit=page.limit, cursor=page.cursor)
    return Page(items=[alert_read(a) for a in result.items], next_cursor=result.next_cursor)


@router.get(
    "/{alert_id}",
    response_model=AlertRead,
    summary="Get an alert",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(alert_id: uuid.UUID, uow: UowDep, principal: Reader) -> AlertRead:
    """One alert with its details and how it was handled."""
    return alert_read(await queries.get_alert(uow, alert_id))


@router.post(
    "/{alert_id}/acknowledge",
    response_model=AlertRead,
    summary="Acknowledge an alert",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def acknowledge(
    alert_id: uuid.UUID, bus: BusDep, uow: UowDep, principal: Writer
) -> AlertRead:
    """Say someone is on an open alert (409 ``invalid_state`` for one acknowledged or
    resolved). An action: no If-Match; audited."""
    alert = await bus.handle(AcknowledgeAlert(principal=principal, alert_id=alert_id), uow)
    return alert_read(alert)


@router.post(
    "/{alert_id}/resolve",
    response_model=AlertRead,
    summary="Resolve an alert",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def resolve(
    alert_id: uuid.UUID, body: AlertResolve, bus: BusDep, uow: UowDep, principal: Writer
) -> AlertRead:
    """Resolve an open or acknowledged alert by hand, with the reason (409
    ``already_resolved`` for one resolved). The same condition later opens a new alert. An
    action: no If-Match; audited."""
    alert = await bus.handle(body.to_command(principal, alert_id), uow)
    return alert_read(alert)
