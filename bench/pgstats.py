"""What PostgreSQL itself counts for a benchmark database: ``pg_stat_database`` deltas over a run
(transactions committed and rolled back, rows inserted, updated, deleted, fetched, returned)
and ``pg_stat_statements`` calls when the server preloads it (never changed here).

Every query here runs on the ``postgres`` database, so the monitoring adds nothing to the
benchmark database's counters. Backends report their counters when a transaction ends, but at
most once a second, and an idle backend reports what it still holds only after 10 s
(``PGSTAT_IDLE_INTERVAL``): a snapshot taken ``settle`` seconds after the database went quiet
includes everything before it. A client that disconnects reports at once.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

COUNTERS = (
    "xact_commit",
    "xact_rollback",
    "tup_inserted",
    "tup_updated",
    "tup_deleted",
    "tup_fetched",
    "tup_returned",
    "blks_hit",
    "blks_read",
    "deadlocks",
)
STATEMENTS_EXTENSION = "pg_stat_statements"


def admin_dsn(url: str) -> str:
    """A libpq DSN for the ``postgres`` database of the server behind a SQLAlchemy URL."""
    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    return dsn.render_as_string(hide_password=False)


async def _fetch(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


def snapshot(dsn: str, database: str) -> dict[str, int]:
    cols = ", ".join(COUNTERS)
    rows = asyncio.run(
        _fetch(dsn, f"SELECT {cols} FROM pg_stat_database WHERE datname = $1", database)
    )
    return {k: int(rows[0][k] or 0) for k in COUNTERS}


def per_order(before: dict[str, int], after: dict[str, int], orders: int) -> dict[str, Any]:
    delta = {k: after[k] - before[k] for k in COUNTERS}
    n = max(orders, 1)
    return {
        "orders": orders,
        "delta": delta,
        "transactions_per_order": round((delta["xact_commit"] + delta["xact_rollback"]) / n, 2),
        "commits_per_order": round(delta["xact_commit"] / n, 2),
        "rollbacks_per_order": round(delta["xact_rollback"] / n, 2),
        "rows_inserted_per_order": round(delta["tup_inserted"] / n, 2),
        "rows_updated_per_order": round(delta["tup_updated"] / n, 2),
        "rows_fetched_per_order": round(delta["tup_fetched"] / n, 2),
        "rows_returned_per_order": round(delta["tup_returned"] / n, 2),
    }


def wait_quiet(dsn: str, database: str, settle: float, timeout: float = 60) -> None:
    """Wait until no backend of the database runs a query (the server keeps finishing requests
    after the load stops), then ``settle`` seconds more for idle backends to report."""
    sql = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state <> 'idle' "
        "AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not asyncio.run(_fetch(dsn, sql, database))[0][0]:
            break
        time.sleep(0.1)
    time.sleep(settle)


def statements_available(dsn: str) -> dict[str, Any]:
    """Whether pg_stat_statements can count statements: only if the server preloads it."""
    rows = asyncio.run(_fetch(dsn, "SELECT current_setting('shared_preload_libraries')"))
    preload = rows[0][0] or ""
    loaded = STATEMENTS_EXTENSION in [x.strip() for x in preload.split(",")]
    return {
        "loaded": loaded,
        "shared_preload_libraries": preload,
        "note": None
        if loaded
        else "pg_stat_statements is not in shared_preload_libraries; the server configuration is "
        "left alone: statements per order come from the in-process capture and the wire count",
    }


async def _statements(db_dsn: str, reset: bool) -> int:
    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {STATEMENTS_EXTENSION}")
        if reset:
            await conn.execute("SELECT pg_stat_statements_reset()")
            return 0
        # Everything of this database but the monitoring's own statements.
        value = await conn.fetchval(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database() "
            "AND s.query NOT LIKE '%pg_stat_statements%'"
        )
        return int(value)
    finally:
        await conn.close()


def statement_calls(db_dsn: str, reset: bool = False) -> int:
    """Reset, or read the sum of ``calls`` of the database's statements."""
    return asyncio.run(_statements(db_dsn, reset))
