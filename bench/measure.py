"""One measured load against a running server: the load generator's figures, the server's CPU
(its process tree), the database backends' CPU and PostgreSQL's own counters per order.

The caller has left the database quiet and settled (``pgstats.wait_quiet``) before; this waits
for it again after, so consecutive measurements on one server chain without a gap in the
counters. Throughput and latency are the load generator's (answered 2xx). Everything *per
order* counts from the start of the load until the server has finished the requests still in
flight when the generator stopped (with 32 connections on a slow server they are many: 32
against some 60 answered in 10 s), and is divided by the orders the database gained over
that time, which include them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import asyncpg

from bench import pgstats
from bench.openloop import open_loop
from bench.procstat import BackendCpu, tree_cpu
from bench.wrk import Target, closed_loop


@dataclass(frozen=True)
class Database:
    """A PostgreSQL database under measurement (``dsn`` a libpq URL of it)."""

    name: str
    dsn: str
    admin: str
    settle: float
    statements: bool  # pg_stat_statements preloaded


async def _count_orders(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM orders"))
    finally:
        await conn.close()


def pg_orders(dsn: str) -> Callable[[], int]:
    return lambda: asyncio.run(_count_orders(dsn))


def sqlite_orders(path: str) -> Callable[[], int]:
    def count() -> int:
        with closing(sqlite3.connect(path)) as conn:
            return int(conn.execute("SELECT count(*) FROM orders").fetchone()[0])

    return count


def _wait_cpu_quiet(pid: int, timeout: float = 30) -> None:
    """Until the server's process tree uses under 4 % of a core for a quarter of a second."""
    deadline = time.monotonic() + timeout
    last = tree_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = tree_cpu(pid)
        if now - last < 0.01:
            return
        last = now


def run_load(
    target: Target,
    server_pid: int,
    connections: int,
    seconds: float,
    *,
    count: Callable[[], int],
    db: Database | None = None,
    rate: float | None = None,
) -> dict[str, Any]:
    """A closed-loop wrk run, or an open-loop run at ``rate`` orders/s; with ``db``,
    PostgreSQL's counters and the backends' CPU too. CPU per order counts from the start of
    the load until the server has finished what was in flight when the generator stopped,
    divided by the orders the database gained (``count``) over the same time."""
    if db and db.statements:
        pgstats.statement_calls(db.dsn, reset=True)
    orders0 = count()
    before = pgstats.snapshot(db.admin, db.name) if db else None
    backends = BackendCpu(db.name).start() if db else None
    cpu0 = tree_cpu(server_pid)
    if rate is None:
        result = closed_loop(target, connections, seconds)
    else:
        result = open_loop(target, rate, seconds, connections)
    if db:
        pgstats.wait_quiet(db.admin, db.name, 0)
    else:
        _wait_cpu_quiet(server_pid)
    server_cpu = tree_cpu(server_pid) - cpu0
    db_cpu = backends.stop() if backends else None
    if db and before is not None:
        pgstats.wait_quiet(db.admin, db.name, db.settle)
        after = pgstats.snapshot(db.admin, db.name)
    served = count() - orders0
    n = max(served, 1)
    result["orders_served"] = served
    result["server_cpu_seconds"] = round(server_cpu, 2)
    result["server_cpu_ms_per_order"] = round(server_cpu * 1000 / n, 2)
    if db_cpu is not None:
        result["db_cpu_ms_per_order"] = round(db_cpu * 1000 / n, 2)
    if db and before is not None:
        result["pg_stat_database"] = pgstats.per_order(before, after, served)
        if db.statements:
            calls = pgstats.statement_calls(db.dsn)
            result["pg_stat_statements_calls_per_order"] = round(calls / n, 2)
    return result
