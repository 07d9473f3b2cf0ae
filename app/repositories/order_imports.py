"""Batch order imports: each one's summary and first errors."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, IdMixin, utcnow


class OrderImport(IdMixin, Base):
    """One batch import: its summary and the first errors (per-row results go to the caller)."""

    __tablename__ = "order_imports"

    format: Mapped[str] = mapped_column(String(8))
    charset: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    # running, completed, completed_with_errors (interrupted is derived, never stored)
    status: Mapped[str] = mapped_column(String(32))
    orders_total: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_details: Mapped[list[dict[str, Any]]]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # When a running import last saved its progress; one that stops progressing was interrupted.
    progressed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class OrderImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, import_id: uuid.UUID) -> OrderImport | None:
        return await self.session.get(OrderImport, import_id)

    def add(self, record: OrderImport) -> None:
        self.session.add(record)
