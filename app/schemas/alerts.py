"""Exception alerts as the API shows them, and what resolving one asks for."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field

from app.domain.alerts import AlertState, Resolution, Rule, Severity
from app.domain.auth import Principal, Role
from app.schemas.common import Schema
from app.services.alerts.commands import ResolveAlert


class AlertRead(Schema):
    id: uuid.UUID
    rule: Rule
    severity: Severity
    role: Role = Field(description="The role that should act on it")
    state: AlertState
    subject_type: str = Field(
        description="product, order, shipment, invoice, case, webhook_endpoint"
    )
    subject_id: str
    message: str
    link: str = Field(description="The API path of the subject")
    details: dict[str, Any]
    opened_at: datetime
    opened_by: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: Resolution | None = Field(description="auto: the condition cleared")
    resolution_reason: str | None
    version: int


class AlertResolve(Schema):
    """Why the alert is resolved by hand."""

    reason: str = Field(min_length=1, max_length=500)

    def to_command(self, principal: Principal, alert_id: uuid.UUID) -> ResolveAlert:
        return ResolveAlert(principal=principal, alert_id=alert_id, reason=self.reason)
