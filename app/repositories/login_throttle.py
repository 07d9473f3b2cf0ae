"""Failed sign-in counters, one row per (kind, key): the state every API process shares."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import String, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.domain.login_throttle import FailureCounter
from app.repositories.base import Base


class LoginFailure(Base):
    """Keys are stored as SHA-256 digests: people type passwords into the user name field, and
    a digest also keeps any byte sequence a client sends storable."""

    __tablename__ = "login_failures"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime | None]
    locked_until: Mapped[datetime | None]
    lockouts: Mapped[int] = mapped_column(default=0)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _counter(row: LoginFailure | None) -> FailureCounter:
    if row is None:
        return FailureCounter()
    return FailureCounter(row.failures, row.window_started_at, row.locked_until, row.lockouts)


class LoginThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, kind: str, key: str) -> FailureCounter:
        """The key's counter as committed, without locking it."""
        row = await self.session.scalar(
            select(LoginFailure).where(
                LoginFailure.kind == kind, LoginFailure.key_digest == _digest(key)
            )
        )
        return _counter(row)

    async def lock(self, kind: str, key: str) -> FailureCounter:
        """The key's counter, created if missing, locked until the transaction ends. One
        statement (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``): on PostgreSQL a
        concurrent caller waits here for the row and then reads the other's committed count;
        on SQLite the statement takes the write lock, so no read has to be upgraded."""
        dialect = self.session.bind.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(LoginFailure).values(
            kind=kind, key_digest=_digest(key), failures=0, lockouts=0
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=[LoginFailure.kind, LoginFailure.key_digest],
            set_={"failures": stmt.excluded.failures + LoginFailure.failures},
        ).returning(
            LoginFailure.failures,
            LoginFailure.window_started_at,
            LoginFailure.locked_until,
            LoginFailure.lockouts,
        )
        row = (await self.session.execute(upsert)).one()
        return FailureCounter(*row)

    async def save(self, kind: str, key: str, counter: FailureCounter) -> None:
        await self.session.execute(
            update(LoginFailure)
            .where(LoginFailure.kind == kind, LoginFailure.key_digest == _digest(key))
            .values(
                failures=counter.failures,
                window_started_at=counter.window_started_at,
                locked_until=counter.locked_until,
                lockouts=counter.lockouts,
            )
            .execution_options(synchronize_session=False)
        )

    async def reset(self, kind: str, key: str) -> None:
        await self.session.execute(
            delete(LoginFailure)
            .where(LoginFailure.kind == kind, LoginFailure.key_digest == _digest(key))
            .execution_options(synchronize_session=False)
        )

    async def purge_forgotten(self, cutoff: datetime) -> int:
        """Delete counters whose window started and whose lock ended before ``cutoff``."""
        result = await self.session.execute(
            delete(LoginFailure).where(
                or_(
                    LoginFailure.window_started_at.is_(None),
                    LoginFailure.window_started_at < cutoff,
                ),
                or_(LoginFailure.locked_until.is_(None), LoginFailure.locked_until < cutoff),
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
