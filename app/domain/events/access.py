"""Events of users and API keys."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.events.base import Event


@dataclass(frozen=True, kw_only=True)
class UserCreated(Event):
    """A user was created; the images never carry the password hash."""

    entity_type: str = "user"
    action: str = "created"
    topic: str | None = "user.created"


@dataclass(frozen=True, kw_only=True)
class ApiKeyCreated(Event):
    """An integration key was issued; the images never carry the key's hash."""

    entity_type: str = "api_key"
    action: str = "created"
    topic: str | None = "api_key.created"


@dataclass(frozen=True, kw_only=True)
class ApiKeyRevoked(Event):
    entity_type: str = "api_key"
    action: str = "revoked"
    topic: str | None = "api_key.revoked"
