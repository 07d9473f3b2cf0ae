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
_order = {table: i for i, table in enumerate(Base.metadata.sorted_tables)}


# Rows of a command that are only written, never read back in it (audit, outbox), by table.
PlainRows = dict[Table, list[dict[str, Any]]]


def plain_row(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as a whole row of ``table``: every column, Python-side defaults applied."""
    if table not in _fills:
        _fills[table] = tuple((c.name, _filler(c)) for c in table.columns)
    row: dict[str, Any] = {}
    for name, fill in _fills[table]:
        value = values.get(name, _ABSENT)
        if value is _ABSENT:
            if fill is None:
                raise ValueError(f"{table.name}.{name} has only a server default")
            value = fill()
        row[name] = value
    return row


_fills: dict[Table, tuple[tuple[str, Callable[[], Any] | None], ...]] = {}


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
    tables = sorted(rows, key=_order.__getitem__)
    shape = tuple((table, tuple(rows[table][0])) for table in tables)
    prepared = _statements.get(shape)
    if prepared is None:
        prepared = _statements[shape] = _prepare(session.bind.dialect, shape)
    statement, processors = prepared
    params: list[Any] = []
    for (table, names), process in zip(shape, processors, strict=True):
        table_rows = rows[table]
        for name, convert in zip(names, process, strict=True):
            column = [row[name] for row in table_rows]
            params.append([convert(v) for v in column] if convert else column)
    connection = await session.connection()
    await connection.exec_driver_sql(statement, tuple(params))
    for obj in list(session.new):
        session.expunge(obj)
    return True


def _rows_by_table(objects: list[Any]) -> dict[Table, list[dict[str, Any]]] | None:
    out: dict[Table, list[dict[str, Any]]] = {}
    for obj in objects:
        mapper: Mapper[Any] = inspect(obj).mapper
        if mapper not in _plans:
            _plans[mapper] = _plan(mapper)
        plan = _plans[mapper]
        if plan is None:
            return None
        row = _values(obj, plan)
        if row is None:
            return None
        out.setdefault(mapper.local_table, []).append(row)  # type: ignore[arg-type]
    return out


# Per mapper: each column attribute's key, column name, whether it is the primary key, and
# what fills it when not set (None: nothing can, in Python).
_Plan = tuple[tuple[str, str, bool, Callable[[], Any] | None], ...]
_plans: dict[Mapper[Any], _Plan | None] = {}


def _plan(mapper: Mapper[Any]) -> _Plan | None:
    """How to read ``mapper``'s objects as rows; None when the fast path cannot write them."""
    table = mapper.local_table
    if not isinstance(table, Table) or mapper.inherits is not None or table not in _order:
        return None
    plan = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if not isinstance(column, Column):
            return None
        fill = (lambda: 1) if column is mapper.version_id_col else _filler(column)
        plan.append((prop.key, column.name, bool(column.primary_key), fill))
    return tuple(plan)


def _filler(column: Column[Any]) -> Callable[[], Any] | None:
    """What gives ``column`` its value when none is set: its Python default, else None (a
    NULL) unless the database has a default of its own (then None: Python cannot fill it)."""
    default = column.default
    if default is not None and getattr(default, "is_scalar", False):
        value = default.arg  # type: ignore[attr-defined]
        return lambda: value
    if default is not None and getattr(default, "is_callable", False):
        make = default.arg  # type: ignore[attr-defined]
        return lambda: make(None)
    if column.server_default is not None:
        return None
    return lambda: None


def _values(obj: Any, plan: _Plan) -> dict[str, Any] | None:
    """The row ``obj`` stands for, defaults applied (and set on ``obj`` too, as a flush does)."""
    state = obj.__dict__
    row: dict[str, Any] = {}
    for key, name, primary_key, fill in plan:
        value = state.get(key, _ABSENT)
        if value is _ABSENT or (value is None and primary_key):
            if fill is None:
                return None
            value = state[key] = fill()
        row[name] = value
    return row


_Shape = tuple[tuple[Table, tuple[str, ...]], ...]
_Processors = list[list[Callable[[Any], Any] | None]]
# Per shape (tables in foreign-key order, each with its columns): the statement's text and
# each column's driver value processor.
_statements: dict[_Shape, tuple[str, _Processors]] = {}


def _prepare(dialect: Dialect, shape: _Shape) -> tuple[str, _Processors]:
    """The statement for ``shape``: one INSERT … SELECT FROM unnest(…) per table, all but the
    last as CTEs, each column's values one array parameter."""
    parts: list[str] = []
    processors: _Processors = []
    number = 0
    for table, names in shape:
        columns = _describe(dialect, table, names)
        arrays = []
        for _, type_sql, _ in columns:
            number += 1
            arrays.append(f"${number}::{type_sql}[]")
        quoted = dialect.identifier_preparer.format_table(table)
        listed = ", ".join(c[0] for c in columns)
        parts.append(f"INSERT INTO {quoted} ({listed}) SELECT * FROM unnest({', '.join(arrays)})")
        processors.append([c[2] for c in columns])
    statement = parts[-1]
    if len(parts) > 1:
        ctes = ", ".join(f"t{i} AS ({sql})" for i, sql in enumerate(parts[:-1]))
        statement = f"WITH {ctes} {statement}"
    return statement, processors


def _describe(dialect: Dialect, table: Table, names: tuple[str, ...]) -> list[_Column]:
    out: list[_Column] = []
    for name in names:
        impl = table.c[name].type.dialect_impl(dialect)
        quoted = dialect.identifier_preparer.quote(name)
        out.append((quoted, impl.compile(dialect=dialect), impl.bind_processor(dialect)))
    return out
