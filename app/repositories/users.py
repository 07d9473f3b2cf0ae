"""Users and integration API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.repositories.base import (
    Base,
    IdMixin,
    Lookups,
    TimestampMixin,
    VersionedMixin,
    first,
    utcnow,
)
from app.repositories.pagination import PageResult, paginate


class User(IdMixin, TimestampMixin, VersionedMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]]
    active: Mapped[bool] = mapped_column(default=True)


class ApiKey(IdMixin, Base):
    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]]
    # The sales channel the key speaks for; it reports payments only for that channel's orders.
    channel: Mapped[str | None] = mapped_column(String(16))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    revoked_at: Mapped[datetime | None]


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def get_by_username(self, username: str) -> User | None:
        return await first(self.session, select(User).where(User.username == username))

    def add(self, user: User) -> None:
        self.session.add(user)


class ApiKeyRepository(Lookups[ApiKey]):
    model = ApiKey
    noun = "API key"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_active_by_hash(self, key_hash: str) -> ApiKey | None:
        return await first(
            self.session,
            select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None)),
        )

    async def page(self, *, limit: int, cursor: str | None) -> PageResult[ApiKey]:
        return await paginate(
            self.session,
            select(ApiKey),
            [ApiKey.created_at, ApiKey.id],
            limit=limit,
            cursor=cursor,
        )

    def add(self, key: ApiKey) -> None:
        self.session.add(key)
