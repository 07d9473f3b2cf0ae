"""Benchmark: storefront order placement end to end, beside the database's limit and the
framework's floor, measured in one invocation.

    .venv/bin/python -m bench.place_orders          # short run (7-8 minutes on a busy machine)
    .venv/bin/python -m bench.place_orders --seconds 30 --profile

1. The references of ``../shared/perf-reference/`` on a database of their own loaded from its
   ``schema.sql``: pgbench with ``order_uniform.sql`` and ``order_hot.sql`` (``reset.sql``
   before, ``check.sql`` after each), then its FastAPI + SQLAlchemy Core app under uvicorn
   with 2 workers, driven on ``POST /orders/core``.
2. Lading on a fresh database (10,000 products, 5 warehouses, 1,000 customers, stock for
   everything): ``lading serve`` with 1 and 2 workers driven on ``POST /api/v1/orders`` (3 lines,
   ``submit: true``, API key, ``Idempotency-Key``, paid), uniform and hot spot (every order on
   the same 10 SKUs); one order captured in-process (its statements) through a relay that
   counts its round trips and transactions on the wire; the pgbench replay of those
   statements; ``lading check``; and the embedded SQLite default with 1 worker.

Load: ``wrk`` with a Lua script (closed loop: peak orders/s and percentiles), then
``bench/openloop.py`` at half the measured peak (open loop, constant rate: the latency figure).
Per order: server CPU (process tree), database CPU (the database's backends), the load
generator's CPU, and PostgreSQL's own counters (``pg_stat_database`` deltas;
``pg_stat_statements`` when the server preloads it). ``--profile`` samples Lading with 1 worker
under py-spy and folds the samples by layer. Results: bench/results/place_orders.json and .md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import lading_server as lading
from bench import output, perf_reference, pgstats
from bench import profile as profiling
from bench.measure import Database, pg_orders, run_load, sqlite_orders
from bench.orders_replay import CAPTURED_SKUS, capture_one_order, pgbench_script, replay
from bench.orders_seed import seed
from bench.place_orders_report import comparison, markdown
from bench.wrk import Target, closed_loop

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def _database(url: str, name: str, args: argparse.Namespace, statements: bool) -> Database:
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql", database=name)
    return Database(
        name,
        dsn.render_as_string(hide_password=False),
        pgstats.admin_dsn(url),
        args.settle,
        statements,
    )


def _half_peak(peak: dict[str, Any]) -> float:
    return max(1.0, peak["orders_per_second"] / 2)


# --- the references ----------------------------------------------------------------------


def run_reference(args: argparse.Namespace, statements: bool) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    folder = perf_reference.reference_dir(args.reference_dir)
    name = f"perf_ref_{secrets.token_hex(4)}"
    db = _database(args.database_url, name, args, statements)
    asyncio.run(lading.admin(args.database_url, f'CREATE DATABASE "{name}"'))
    report: dict[str, Any] = {"folder": str(folder)}
    try:
        perf_reference.psql(db.dsn, folder, "schema.sql")
        for variant in ("uniform", "hot"):
            report[f"pgbench_{variant}"] = perf_reference.pgbench(
                db.dsn, folder, f"order_{variant}.sql", args.clients, args.seconds
            )
        perf_reference.psql(db.dsn, folder, "reset.sql")
        url = make_url(args.database_url).set(drivername="postgresql+asyncpg", database=name)
        server, base = perf_reference.start_app(
            url.render_as_string(hide_password=False), folder, 2, lading.free_port()
        )
        try:
            target = Target("reference", base)
            closed_loop(target, args.clients, args.warmup)
            pgstats.wait_quiet(db.admin, name, args.settle)
            count = pg_orders(db.dsn)
            peak = run_load(target, server.pid, args.clients, args.seconds, count=count, db=db)
            report["app_2_workers"] = peak
            report["app_2_workers_open_loop"] = run_load(
                target, server.pid, args.clients, args.seconds, count=count, rate=_half_peak(peak)
            )
        finally:
            lading.stop_server(server)
        report["check"] = perf_reference.check(db.dsn, folder)
    finally:
        asyncio.run(
            lading.admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )
    return report


# --- Lading ------------------------------------------------------------------------------


def _lading_variants(
    args: argparse.Namespace, url: str, key: str, db: Database, workers: int
) -> dict[str, Any]:
    report: dict[str, Any] = {}
    server, base = lading.start_server(url, workers)
    salt = secrets.token_hex(3)
    target = Target("lading", base, key, args.products, args.customers, salt=f"w{workers}{salt}")
    try:
        closed_loop(target, args.clients, args.warmup)  # preload and warm
        pgstats.wait_quiet(db.admin, db.name, 0)
        asyncio.run(lading.analyze(url))
        pgstats.wait_quiet(db.admin, db.name, args.settle)
        count = pg_orders(db.dsn)
        peak = run_load(target, server.pid, args.clients, args.seconds, count=count, db=db)
        report[f"workers_{workers}"] = peak
        hot = Target("lading", base, key, args.products, args.customers, True, f"h{workers}{salt}")
        report[f"workers_{workers}_hot"] = run_load(
            hot, server.pid, args.clients, args.seconds, count=count, db=db
        )
        if workers == max(args.workers):
            ol = Target("lading", base, key, args.products, args.customers, salt=f"o{salt}")
            report[f"workers_{workers}_open_loop"] = run_load(
                ol, server.pid, args.clients, args.seconds, count=count, rate=_half_peak(peak)
            )
    finally:
        lading.stop_server(server)
    return report


def _profile(args: argparse.Namespace, url: str, key: str, db: Database) -> dict[str, Any]:
    server, base = lading.start_server(url, 1)
    target = Target("lading", base, key, args.products, args.customers, salt=secrets.token_hex(3))
    raw = Path(args.output).with_name("place_orders_profile.txt")
    raw.parent.mkdir(parents=True, exist_ok=True)
    try:
        closed_loop(target, args.clients, args.warmup)
        pgstats.wait_quiet(db.admin, db.name, 0)
        spy = profiling.start(server.pid, args.seconds, raw)
        run = run_load(target, server.pid, args.clients, args.seconds, count=pg_orders(db.dsn))
        _, err = spy.communicate(timeout=args.seconds + 60)
    finally:
        lading.stop_server(server)
    if not raw.is_file():
        return {"error": err.decode(errors="replace")[-500:]}
    result = profiling.table(raw.read_text(), run["server_cpu_ms_per_order"])
    result.update(raw_file=str(raw), run=run)
    return result


def run_postgres(args: argparse.Namespace, statements: bool) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from app import migrate

    name = f"lading_bench_{secrets.token_hex(4)}"
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    db = _database(args.database_url, name, args, statements)
    asyncio.run(lading.admin(args.database_url, f'CREATE DATABASE "{name}"'))
    report: dict[str, Any] = {}
    try:
        migrate.upgrade(url)
        key, seeded = asyncio.run(seed(url, args.products, args.customers))
        captured, wire = asyncio.run(capture_one_order(url, key))
        report["sql_statements_per_order"] = len(captured)
        report["wire_per_order"] = wire
        report["statements"] = [" ".join(s.split())[:120] for s, _ in captured]
        for workers in args.workers:
            report.update(_lading_variants(args, url, key, db, workers))
        pgstats.wait_quiet(db.admin, name, 0)
        # `lading check` over everything Lading wrote in the runs.
        report["invariant_violations"] = asyncio.run(lading.invariants(url))
        script = pgbench_script(captured, seeded, args.products, list(CAPTURED_SKUS))
        report["pgbench_replay"] = replay(db.dsn, script, args.clients, round(args.seconds))
        pgstats.wait_quiet(db.admin, name, 0)
        # The replayed statements keep the ledgers consistent too.
        report["pgbench_replay"]["invariant_violations"] = asyncio.run(lading.invariants(url))
        if args.profile:
            report["profile"] = _profile(args, url, key, db)
    finally:
        asyncio.run(
            lading.admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )
    return report


def run_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    from app import migrate

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        key, _ = asyncio.run(seed(url, args.products, args.customers))
        server, base = lading.start_server(url, 1)
        target = Target("lading", base, key, args.products, args.customers, salt="sqlite")
        try:
            closed_loop(target, min(args.clients, 8), args.warmup)
            count = sqlite_orders(f"{tmp}/bench.db")
            result = run_load(target, server.pid, min(args.clients, 8), args.seconds, count=count)
        finally:
            lading.stop_server(server)
        result["invariant_violations"] = asyncio.run(lading.invariants(url))
        return result


# --- the run -----------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    def out(*argv: str) -> str:
        return subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT).stdout

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "postgres": out("psql", "--version").strip(),
        "wrk": out("wrk", "--version").split(" [")[0].strip() or None,
        "load_average": list(os.getloadavg()),
        "commit": out("git", "rev-parse", "--short", "HEAD").strip(),
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--database-url", default=os.environ.get("LADING_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    p.add_argument("--reference-dir", default=os.environ.get("LADING_PERF_REFERENCE"))
    p.add_argument("--products", type=int, default=10_000)
    p.add_argument("--customers", type=int, default=1_000)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument(
        "--settle",
        type=float,
        default=11,
        help="seconds to wait after a load for idle backends to report their counters",
    )
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--skip-sqlite", action="store_true")
    p.add_argument("--skip-reference", action="store_true")
    p.add_argument("--profile", action="store_true", help="py-spy Lading with 1 worker, by layer")
    p.add_argument("--output", default=str(RESULTS / "place_orders"))
    return p


def main() -> None:
    args = parser().parse_args()
    if not args.skip_reference:
        perf_reference.reference_dir(args.reference_dir)  # fail early, not after Lading's runs
    started = _machine()
    statements = pgstats.statements_available(pgstats.admin_dsn(args.database_url))
    result: dict[str, Any] = {
        "benchmark": "place_orders",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": started.pop("commit"),
        "machine": started,
        "clients": args.clients,
        "seconds": args.seconds,
        "pg_stat_statements": statements,
        "reference": None if args.skip_reference else run_reference(args, statements["loaded"]),
        "postgresql": run_postgres(args, statements["loaded"]),
        "sqlite": None if args.skip_sqlite else run_sqlite(args),
    }
    result["machine"]["load_average_after"] = list(os.getloadavg())
    result["comparison"] = comparison(result)
    output.write(args.output, result, markdown(result))


if __name__ == "__main__":
    main()
