"""Events of exception alerts: raised, acknowledged, resolved. Their outbox payload is the
alert as the other consumers read it (webhooks, staff notifications, the live stream):
``id, rule, severity, role, state, subject_type, subject_id, message, link, opened_at``."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class AlertRaised(Event):
    entity_type: str = "alert"
    action: str = "raised"
    topic: str | None = "alert.raised"


@dataclass(frozen=True, kw_only=True)
class AlertAcknowledged(Event):
    entity_type: str = "alert"
    action: str = "acknowledged"
    topic: str | None = "alert.acknowledged"


@dataclass(frozen=True, kw_only=True)
class AlertResolved(Event):
    entity_type: str = "alert"
    action: str = "resolved"
    topic: str | None = "alert.resolved"
