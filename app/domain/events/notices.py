"""Events of how Lading tells the world: webhook endpoints, notifications, alerts."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabled(Event):
    """An endpoint failed for longer than allowed (or answered 410 Gone) and was switched off;
    an alert is raised for the administrators (reaction)."""

    entity_type: str = "webhook_endpoint"
    action: str = "disabled"
    topic: str | None = "endpoint.disabled"
    url: str = ""
    reason: str = ""
