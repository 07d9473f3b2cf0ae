"""Commands of the template use cases."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.auth import Principal


@dataclass(frozen=True, kw_only=True)
class SaveTemplate:
    """Replace the template of (kind, channel, language) with this one."""

    principal: Principal
    kind: str
    channel: str
    language: str
    subject: str | None
    body: str


@dataclass(frozen=True, kw_only=True)
class ResetTemplate:
    """Drop the saved template: the default shipped in code is in force again."""

    principal: Principal
    kind: str
    channel: str
    language: str
