"""Commands of the authentication use cases."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class IssueToken:
    """Sign in: a user name and password for an access token (failures are counted)."""

    username: str
    password: str
    client_address: str


@dataclass(frozen=True, kw_only=True)
class CreateUser:
    """``actor`` is who creates the user (an admin, or "cli" / "seed-demo")."""

    actor: str
    username: str
    password: str
    roles: list[str]
    full_name: str = ""


@dataclass(frozen=True, kw_only=True)
class CreateApiKey:
    principal: Principal
    name: str
    scopes: list[str]
    channel: str | None = None


@dataclass(frozen=True, kw_only=True)
class RevokeApiKey:
    principal: Principal
    key_id: uuid.UUID
