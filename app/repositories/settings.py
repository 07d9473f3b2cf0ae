"""Settings an admin changes through the API (review thresholds, …), one JSON document a key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, VersionedMixin, utcnow


class SettingRecord(VersionedMixin, Base):
    """One settings document; ``version`` is its ETag (no row yet means version 0)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))


class SettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> SettingRecord | None:
        return await self.session.get(SettingRecord, key)

    def add(self, record: SettingRecord) -> None:
        self.session.add(record)
