"""Declarative base, naming convention and column types shared by every table."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    Select,
    Table,
    TypeDecorator,
    Uuid,
    insert,
    inspect,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from app.domain.errors import NotFound

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # TypeDecorator does not delegate this to impl; keyset cursors need it to decode.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSON on SQLite, JSONB on PostgreSQL.
Json = JSON().with_variant(JSONB(), "postgresql")

Money = Numeric(18, 4, asdecimal=True)
Quantity = Numeric(18, 3, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        datetime: UtcDateTime(),
        Decimal: Money,
        uuid.UUID: Uuid(),
        dict[str, Any]: Json,
        list[str]: Json,
        list[dict[str, Any]]: Json,
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """An integer version, raised on every update; it is the ``ETag`` of the resource."""

    version: Mapped[int] = mapped_column(Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # SQLAlchemy adds "AND version = :old" to every UPDATE and raises on a lost race.
        return {"version_id_col": cls.version}


async def insert_rows(session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` into ``model``'s table as a Core statement (batched multi-row VALUES),
    not through the ORM's bulk path, which costs several times the CPU for plain rows."""
    if rows:
        await session.execute(insert(cast(Table, model.__table__)), list(rows))


async def first(session: AsyncSession, stmt: Select[tuple[T]]) -> T | None:
    """The first row's entity of ``stmt``, or None (typed, unlike ``session.scalar``)."""
    return (await session.scalars(stmt.limit(1))).first()


_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """``value`` with decimals, ids, dates and times as the API writes them (recursively)."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {str(k): v if type(v) in _PLAIN else jsonable(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        # Clock times (a vehicle's shift) read as the API writes them: "HH:MM".
        return value.isoformat("minutes" if not value.second and not value.microsecond else "auto")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(row: Any, *, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The column values of a mapped row, JSON-safe, for audit before/after images."""
    skip = set(exclude)
    mapper = inspect(type(row))
    return {
        attr.key: jsonable(getattr(row, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in skip
    }


M = TypeVar("M", bound=IdMixin)


class Lookups(Generic[M]):
    """``get``, ``get_for_update`` and their ``..._or_raise`` forms for a repository of one
    model, in one place: ``NotFound("No <noun> with id <id>.")`` when the row is missing. A
    repository sets ``model`` and ``noun`` and may override ``get``/``get_for_update``
    (orders keep what they locked)."""

    model: type[M]
    noun: str
    session: AsyncSession

    async def get(self, row_id: uuid.UUID) -> M | None:
        return await self.session.get(self.model, row_id)

    async def get_for_update(self, row_id: uuid.UUID) -> M | None:
        stmt = select(self.model).where(self.model.id == row_id).with_for_update()
        return await first(self.session, stmt)

    async def get_many(self, row_ids: Iterable[uuid.UUID]) -> list[M]:
        """The rows of ``row_ids`` that exist, in no particular order."""
        ids = set(row_ids)
        if not ids:
            return []
        return list(await self.session.scalars(select(self.model).where(self.model.id.in_(ids))))

    async def get_or_raise(self, row_id: uuid.UUID) -> M:
        return self._found(await self.get(row_id), row_id)

    async def get_for_update_or_raise(self, row_id: uuid.UUID) -> M:
        return self._found(await self.get_for_update(row_id), row_id)

    def _found(self, row: M | None, row_id: uuid.UUID) -> M:
        if row is None:
            raise NotFound(f"No {self.noun} with id {row_id}.")
        return row
