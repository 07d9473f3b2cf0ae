"""Idempotency records: the first answer to a create with an ``Idempotency-Key``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import Base, utcnow


class IdempotencyRecord(Base):
    """The first answer to a create with an ``Idempotency-Key``, kept to replay it."""

    __tablename__ = "idempotency_keys"

    owner: Mapped[str] = mapped_column(String(120), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, owner: str, key: str) -> IdempotencyRecord | None:
        return await self.session.get(IdempotencyRecord, (owner, key))

    def add(self, record: IdempotencyRecord) -> None:
        self.session.add(record)

    async def purge_older_than(self, cutoff: datetime) -> int:
        result = await self.session.execute(
            delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
