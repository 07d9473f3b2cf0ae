"""Events of printed documents: the company settings their header prints."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.events import Event


@dataclass(frozen=True, kw_only=True)
class CompanySettingsUpdated(Event):
    """An admin changed the company settings. Its topic matches no stream prefix, so only
    administrators see it, as only they read the settings."""

    entity_type: str = "settings"
    action: str = "updated"
    topic: str | None = "company_settings.updated"
