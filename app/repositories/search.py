"""The ``q`` filter of every list: a case-insensitive "contains" in which ``%`` and ``_`` are
the characters themselves, never wildcards."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

# "!" rather than a backslash: its literal reads the same on every engine and setting.
ESCAPE = "!"


def like_literal(text: str) -> str:
    """``text`` with LIKE's wildcards (and the escape character itself) escaped."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains(text: str, *columns: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """Any of ``columns`` contains ``text``, case-insensitively (ILIKE on the bare columns, so
    PostgreSQL's trigram indexes can answer it; SQLite's LIKE is case-insensitive for ASCII)."""
    pattern = f"%{like_literal(text)}%"
    return or_(*(column.ilike(pattern, escape=ESCAPE) for column in columns))
