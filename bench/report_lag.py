"""Benchmark: do the reports' summaries keep up with order placement at its full rate?

    .venv/bin/python -m bench.report_lag                  # 60 s of load, 2 server workers
    .venv/bin/python -m bench.report_lag --seconds 120 --clients 32

A fresh PostgreSQL database seeded like ``bench.place_orders`` (10,000 products, 1,000
customers, stock for everything); ``lading serve`` with 2 workers and one ``lading worker`` (the
production shape: it routes the outbox to the stream and runs the reports' projector beside
its other jobs, with the default settings). wrk drives storefront orders (3 lines, submitted,
paid) as fast as they go for ``--seconds``; meanwhile a sampler reads, twice a second, how far
the summaries lag: ``now() - report_progress.as_of`` (every change committed before ``as_of``
is in the figures) and the events routed but not yet projected. After the load: how long the
projector takes to catch up, and ``lading check`` (its report comparison included).
Results: bench/results/report_lag.json and .md."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import lading_server as lading
from bench import output
from bench.orders_seed import seed
from bench.wrk import Target, closed_loop

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
SAMPLE = """
SELECT extract(epoch FROM now() - p.as_of),
       (SELECT coalesce(max(position), 0) FROM outbox) - p.position,
       (SELECT count(*) FROM outbox WHERE status = 'pending'),
       (SELECT count(*) FROM orders)
FROM report_progress p WHERE p.name = 'reports'
"""


class Sampler(threading.Thread):
    """Reads the lag twice a second until stopped: (seconds since start, as_of lag s,
    events not yet projected, events not yet routed, orders)."""

    def __init__(self, dsn: str) -> None:
        super().__init__(daemon=True)
        self.dsn, self.stop = dsn, threading.Event()
        self.samples: list[tuple[float, float, int, int, int]] = []
        self.started = time.monotonic()

    def run(self) -> None:
        asyncio.run(self._loop())

    async def _loop(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.dsn)
        try:
            while not self.stop.is_set():
                row = await conn.fetchrow(SAMPLE)
                if row is not None and row[0] is not None:
                    at = time.monotonic() - self.started
                    self.samples.append((at, float(row[0]), row[1], row[2], row[3]))
                await asyncio.sleep(0.5)
        finally:
            await conn.close()

    def last(self) -> tuple[float, float, int, int, int] | None:
        return self.samples[-1] if self.samples else None


def start_worker(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        env=lading.server_env(url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_caught_up(sampler: Sampler, since: float, timeout: float) -> float | None:
    """Seconds after ``since`` (monotonic) until a sample shows nothing left to project and
    ``as_of`` past ``since``; None when it did not happen within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        last = sampler.last()
        if last is not None:
            at, lag, behind, pending, _ = last
            sampled = sampler.started + at
            if sampled > since and behind == 0 and pending == 0 and sampled - lag >= since:
                return round(sampled - since, 1)
        time.sleep(0.25)
    return None


def _figures(samples: list[tuple[float, float, int, int, int]]) -> dict[str, Any]:
    if not samples:
        return {}
    lags = sorted(s[1] for s in samples)
    behind = [s[2] for s in samples]
    unrouted = [s[3] for s in samples]
    return {
        "samples": len(samples),
        "as_of_lag_p50_s": round(statistics.median(lags), 2),
        "as_of_lag_p95_s": round(lags[min(len(lags) - 1, int(len(lags) * 0.95))], 2),
        "as_of_lag_max_s": round(lags[-1], 2),
        "events_behind_max": max(behind),
        "events_behind_mean": round(statistics.fmean(behind), 1),
        "events_unrouted_max": max(unrouted),
        "events_unrouted_mean": round(statistics.fmean(unrouted), 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from app import migrate

    name = f"lading_lag_{secrets.token_hex(4)}"
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    asyncio.run(lading.admin(args.database_url, f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(url)
        key, _ = asyncio.run(seed(url, args.products, args.customers))
        server, base = lading.start_server(url, args.workers)
        worker = start_worker(url)
        sampler = Sampler(dsn)
        try:
            target = Target("lading", base, key, args.products, args.customers, salt="lag")
            closed_loop(target, args.clients, args.warmup)
            sampler.start()
            warm = wait_caught_up(sampler, time.monotonic(), 120)
            begin = time.monotonic()
            load = closed_loop(target, args.clients, args.seconds)
            end = time.monotonic()
            catch_up = wait_caught_up(sampler, end, args.catch_up_timeout)
            during = [s for s in sampler.samples if begin <= sampler.started + s[0] <= end]
        finally:
            sampler.stop.set()
            lading.stop_server(worker)
            lading.stop_server(server)
        return {
            "load": load,
            "caught_up_after_warmup_s": warm,
            "during_load": _figures(during),
            "catch_up_after_load_s": catch_up,
            "invariant_violations": asyncio.run(lading.invariants(url)),
        }
    finally:
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        asyncio.run(lading.admin(args.database_url, drop))


def markdown(result: dict[str, Any]) -> str:
    load, during = result["load"], result["during_load"]
    return "\n".join(
        [
            "# bench/report_lag",
            "",
            f"- {result['date']}, commit {result['commit']}, load average before "
            f"{result['load_average'][0]:.2f}, after {result['load_average_after'][0]:.2f}",
            f"- {result['clients']} clients, {result['seconds']} s, {result['workers']} server "
            f"workers + 1 `lading worker`",
            "",
            "| figure | value |",
            "|---|---:|",
            f"| orders/s (wrk, closed loop) | {load['orders_per_second']} |",
            f"| order p99 ms | {load['p99_ms']} |",
            f"| as_of lag during the load, p50 s | {during.get('as_of_lag_p50_s')} |",
            f"| as_of lag during the load, p95 s | {during.get('as_of_lag_p95_s')} |",
            f"| as_of lag during the load, max s | {during.get('as_of_lag_max_s')} |",
            f"| events routed, not projected, max | {during.get('events_behind_max')} |",
            f"| events not yet routed, max | {during.get('events_unrouted_max')} |",
            f"| caught up after the load ended, s | {result['catch_up_after_load_s']} |",
            f"| `lading check` violations | {len(result['invariant_violations'])} |",
            "",
        ]
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument(
        "--database-url", default=os.environ.get("LADING_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    p.add_argument("--products", type=int, default=10_000)
    p.add_argument("--customers", type=int, default=1_000)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--catch-up-timeout", type=float, default=300)
    p.add_argument("--output", default=str(RESULTS / "report_lag"))
    return p


def main() -> None:
    args = parser().parse_args()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    result: dict[str, Any] = {
        "benchmark": "report_lag",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "load_average": list(os.getloadavg()),
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
    }
    result.update(run(args))
    result["load_average_after"] = list(os.getloadavg())
    output.write(args.output, result, markdown(result))


if __name__ == "__main__":
    main()
