"""The templates in force: an admin's saved one, else the default shipped in code."""

from __future__ import annotations

from app.domain.notifications.kinds import NotificationChannel, NotificationKind
from app.repositories.notifications import NotificationRepository
from app.services.notifications.defaults import Template, default_template


class Templates:
    """The overrides read once (per routing batch or request), the defaults behind them."""

    def __init__(self, overrides: dict[tuple[str, str, str], Template]) -> None:
        self.overrides = overrides

    @classmethod
    async def load(cls, repo: NotificationRepository) -> Templates:
        rows = await repo.templates()
        return cls({(t.kind, t.channel, t.language): Template(t.subject, t.body) for t in rows})

    def effective(
        self, kind: NotificationKind, channel: NotificationChannel, language: str
    ) -> Template | None:
        key = (kind.value, channel.value, language)
        return self.overrides.get(key) or default_template(*key)
