"""PostgreSQL: every new row of a command written in one statement.

The ORM's flush writes one INSERT per table (its rows batched), so a storefront order costs
eleven statements and eleven round trips at commit — idempotency key, order, lines, payment,
journal entry and lines, audit, outbox, allocation, reservations, review — and most of its
Python time is the unit of work sorting, batching and compiling them. When a transaction has
only *added* rows (nothing changed or deleted through the ORM), they are written instead as
one statement of data-modifying CTEs, one per table::

    WITH t0 AS (INSERT INTO orders (…) SELECT * FROM unnest($1::UUID[], $2::VARCHAR(32)[], …)),
         t1 AS (INSERT INTO order_lines (…) SELECT * FROM unnest(…))
    INSERT INTO outbox (…) SELECT * FROM unnest(…)

Each column's values travel as one array parameter, so the text depends only on which tables
and columns are written, never on how many rows: it is prepared once per shape and cached by
the driver. Foreign keys are checked at the end of the statement, when every row is there; a
unique violation fails the statement as the flush would. Python-side column defaults are
applied as the ORM applies them (a value not set, or a primary key left None); anything the
fast path cannot express (an SQL-expression default, a multi-table mapping, a JSON array
column unnest would flatten) leaves the rows to the ORM flush.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Table, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapper

from app.repositories.base import Base

_ABSENT = object()
# A column as the statement names it: quoted name, SQL type, the driver value processor.
_Column = tuple[str, str, Callable[[Any], Any] | None]
_columns: dict[tuple[str, tuple[str, ...]], list[_Column]] = {}
_order = {table: i for i, table in enumerate(Base.metadata.sorted_tables)}


# Rows of a command that are only written, never read back in it (audit, outbox), by table.
PlainRows = dict[Table, list[dict[str, Any]]]


def plain_row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as a whole row of ``table``: every column, Python-side defaults applied."""
    row: dict[str, Any] = {}
    for column in table.columns:
        value = values.get(column.name, _ABSENT)
        if value is _ABSENT:
            value = _default(column)
            if value is _ABSENT:
                if column.server_default is not None:
                    raise ValueError(f"{table.name}.{column.name} has only a server default")
                value = None
        row[column.name] = value
    return row


async def write_new_rows(session: AsyncSession, plain: PlainRows) -> bool:
    """Write the session's new rows and the ``plain`` rows in one statement and detach the
    former; False (nothing done) when the fast path does not apply and the ORM flush should
    write them (``plain`` then goes to the caller's Core inserts)."""
    if session.bind.dialect.name != "postgresql" or not (session.new or plain):
        return False
    if session.dirty or session.deleted:
        return False
    rows = _rows_by_table(list(session.new))
    if rows is None:
        return False
    for table, extra in plain.items():
        rows.setdefault(table, []).extend(extra)
    dialect = session.bind.dialect
    parts: list[str] = []
    params: list[Any] = []
    for table in sorted(rows, key=lambda t: _order[t]):
        sql, values = _insert(dialect, table, rows[table], len(params))
        parts.append(sql)
        params.extend(values)
    statement = parts[-1]
    if len(parts) > 1:
        ctes = ", ".join(f"t{i} AS ({sql})" for i, sql in enumerate(parts[:-1]))
        statement = f"WITH {ctes} {statement}"
    connection = await session.connection()
    await connection.exec_driver_sql(statement, tuple(params))
    for obj in list(session.new):
        session.expunge(obj)
    return True


def _rows_by_table(objects: list[Any]) -> dict[Table, list[dict[str, Any]]] | None:
    out: dict[Table, list[dict[str, Any]]] = {}
    for obj in objects:
        mapper: Mapper[Any] = inspect(obj).mapper
        table = mapper.local_table
        if not isinstance(table, Table) or mapper.inherits is not None or table not in _order:
            return None
        row = _values(obj, mapper)
        if row is None:
            return None
        out.setdefault(table, []).append(row)
    return out


def _values(obj: Any, mapper: Mapper[Any]) -> dict[str, Any] | None:
    """The row ``obj`` stands for, defaults applied (and set on ``obj`` too, as a flush does)."""
    state = obj.__dict__
    version = mapper.version_id_col
    row: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if not isinstance(column, Column):
            return None
        value = state.get(prop.key, _ABSENT)
        if value is _ABSENT or (value is None and column.primary_key):
            value = _default(column)
            if value is _ABSENT:
                if column is version:
                    value = 1
                elif column.server_default is not None:
                    return None
                else:
                    value = None
            state[prop.key] = value
        row[column.name] = value
    return row


def _default(column: Column[Any]) -> Any:
    default = column.default
    if default is None:
        return _ABSENT
    if getattr(default, "is_scalar", False):
        return default.arg  # type: ignore[attr-defined]
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]
    return _ABSENT


def _insert(
    dialect: Dialect, table: Table, rows: list[dict[str, Any]], offset: int
) -> tuple[str, list[Any]]:
    """One table's INSERT … SELECT FROM unnest(…), its parameters numbered from ``offset``."""
    names = tuple(rows[0])
    columns = _columns.get((table.name, names))
    if columns is None:
        columns = _columns[(table.name, names)] = _describe(dialect, table, names)
    arrays, values = [], []
    for i, (name, (_, type_sql, process)) in enumerate(zip(names, columns, strict=True)):
        arrays.append(f"${offset + i + 1}::{type_sql}[]")
        column = [row[name] for row in rows]
        values.append([process(v) for v in column] if process else column)
    quoted = dialect.identifier_preparer.format_table(table)
    listed = ", ".join(c[0] for c in columns)
    return f"INSERT INTO {quoted} ({listed}) SELECT * FROM unnest({', '.join(arrays)})", values


def _describe(dialect: Dialect, table: Table, names: tuple[str, ...]) -> list[_Column]:
    out: list[_Column] = []
    for name in names:
        impl = table.c[name].type.dialect_impl(dialect)
        quoted = dialect.identifier_preparer.quote(name)
        out.append((quoted, impl.compile(dialect=dialect), impl.bind_processor(dialect)))
    return out
