"""One measured load against a running server: the load generator's figures, the server's CPU
(its process tree), the database backends' CPU and PostgreSQL's own counters per order.

The caller has left the database quiet and settled (``pgstats.wait_quiet``) before; this waits
for it again after, so consecutive measurements on one server chain without a gap in the
counters. Orders are counted twice: answered 2xx by the load generator (throughput, CPU per
order) and created in the database over the same window (PostgreSQL's counters per order, which
include the requests still in flight when the load generator stopped).
"""

from __future__ import annotations

import asyncio
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


def run_load(
    target: Target,
    server_pid: int,
    db: Database | None,
    connections: int,
    seconds: float,
    rate: float | None = None,
) -> dict[str, Any]:
    """A closed-loop wrk run, or an open-loop run at ``rate`` orders/s."""
    if db and db.statements:
        pgstats.statement_calls(db.dsn, reset=True)
    orders0 = asyncio.run(_count_orders(db.dsn)) if db else 0
    before = pgstats.snapshot(db.admin, db.name) if db else None
    backends = BackendCpu(db.name).start() if db else None
    cpu0 = tree_cpu(server_pid)
    if rate is None:
        result = closed_loop(target, connections, seconds)
    else:
        result = open_loop(target, rate, seconds, connections)
    server_cpu = tree_cpu(server_pid) - cpu0
    created = max(result["created"], 1)
    result["server_cpu_seconds"] = round(server_cpu, 2)
    result["server_cpu_ms_per_order"] = round(server_cpu * 1000 / created, 2)
    if backends is not None:
        result["db_cpu_ms_per_order"] = round(backends.stop() * 1000 / created, 2)
    if db and before is not None:
        pgstats.wait_quiet(db.admin, db.name, db.settle)
        after = pgstats.snapshot(db.admin, db.name)
        in_db = asyncio.run(_count_orders(db.dsn)) - orders0
        result["pg_stat_database"] = pgstats.per_order(before, after, in_db)
        if db.statements:
            calls = pgstats.statement_calls(db.dsn)
            result["pg_stat_statements_calls_per_order"] = round(calls / max(in_db, 1), 2)
    return result
