"""Keyset (cursor) pagination: stable, index-friendly, no OFFSET."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.domain.errors import RuleViolation

T = TypeVar("T")


@dataclass(frozen=True)
class PageResult(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _encode(values: Sequence[Any]) -> str:
    raw = json.dumps(
        [
            v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, UUID) else v
            for v in values
        ]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, columns: Sequence[InstrumentedAttribute[Any]]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("shape")
        out: list[Any] = []
        for column, value in zip(columns, values, strict=True):
            python_type = column.type.python_type
            if python_type is datetime:
                out.append(datetime.fromisoformat(value))
            elif python_type is date:
                out.append(date.fromisoformat(value))
            elif python_type is UUID:
                out.append(UUID(value))
            else:
                out.append(value)
        return out
    except (ValueError, TypeError, json.JSONDecodeError, NotImplementedError) as exc:
        raise RuleViolation.on("cursor", "invalid_cursor", "The cursor is not valid.") from exc


async def paginate(
    session: AsyncSession,
    stmt: Select[Any],
    columns: Sequence[InstrumentedAttribute[Any]],
    *,
    limit: int,
    cursor: str | None,
    descending: bool = False,
) -> PageResult[Any]:
    """Page through ``stmt`` ordered by ``columns`` (together unique), after ``cursor``."""
    key = tuple_(*columns) if len(columns) > 1 else columns[0]
    if cursor:
        values = _decode(cursor, columns)
        bound = tuple_(*values) if len(columns) > 1 else values[0]
        stmt = stmt.where(key < bound if descending else key > bound)
    order = [c.desc() if descending else c.asc() for c in columns]
    rows = list((await session.scalars(stmt.order_by(*order).limit(limit + 1))).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([getattr(last, c.key) for c in columns])
    return PageResult(rows, next_cursor)


def equals(*pairs: tuple[InstrumentedAttribute[Any], Any]) -> list[ColumnElement[bool]]:
    """``column == value`` for each filter that was given (``None`` means any)."""
    return [column == value for column, value in pairs if value is not None]


async def newest_first(
    session: AsyncSession,
    model: Any,
    conditions: Sequence[ColumnElement[bool]],
    *,
    limit: int,
    cursor: str | None,
) -> PageResult[Any]:
    """Rows of a document table (``created_at``, ``id``) matching ``conditions``, newest first."""
    return await paginate(
        session,
        select(model).where(*conditions),
        [model.created_at, model.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
