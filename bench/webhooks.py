"""Benchmark: outbound webhook events delivered per second with 1 and 4 worker processes.

    .venv/bin/python -m bench.webhooks                      # 3,000 events, 1 and 4 workers
    .venv/bin/python -m bench.webhooks --events 10000 --workers 1 2 4 --endpoints 2

For each worker count: a fresh PostgreSQL database with one endpoint taking every event
(``*``; ``--endpoints`` for more) and ``--events`` events pre-written to the outbox (pending,
each of its own order, as the order path leaves them); a local receiver (uvicorn in its own
process, answering 204 after ``--receiver-delay-ms``); then that many ``lading worker``
processes, which route the events (stream positions, the fan-out to deliveries) and send them
(signed, leased, logged). Measured: wall time from starting the workers until every delivery is
delivered, and the sending rate between the first and the last attempt (the workers' start-up
left out). Checked: every delivery delivered, exactly one attempt each (no duplicate sends).
Results: bench/results/webhooks.json and .md. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import output

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _receiver_app(delay: float) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        if delay:
            await asyncio.sleep(delay)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


def serve_receiver(port: int, delay_ms: float) -> None:
    import uvicorn

    uvicorn.run(
        _receiver_app(delay_ms / 1000),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )


def start_receiver(delay_ms: float) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.webhooks", "--receiver", str(port), str(delay_ms)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(200):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.05)
    stop(proc)
    raise RuntimeError("the receiver did not start")


def start_worker(url: str, batch: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LADING_DATABASE_URL": url,
        "LADING_ENVIRONMENT": "production",
        "LADING_SECRET_KEY": secrets.token_urlsafe(40),
        "LADING_DISPATCHER_INTERVAL_SECONDS": "0.05",
        "LADING_DISPATCHER_BATCH_SIZE": str(batch),
        "LADING_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


async def _admin(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def seed(url: str, receiver: str, events: int, endpoints: int) -> None:
    """Endpoints taking every event, and the events pending in the outbox."""
    from sqlalchemy import insert

    from app.db import create_engine
    from app.domain.webhooks import new_secret
    from app.repositories.events import OutboxEvent
    from app.repositories.webhooks import WebhookEndpoint

    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                insert(WebhookEndpoint),
                [
                    {
                        "id": uuid.uuid4(),
                        "url": f"{receiver}/hook/{i}",
                        "event_types": ["*"],
                        "active": True,
                        "secret": new_secret(),
                        "created_by": "bench",
                        "updated_by": "bench",
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in range(endpoints)
                ],
            )
            rows = [
                {
                    "id": uuid.uuid4(),
                    "event_type": "order.placed",
                    "aggregate_type": "order",
                    "aggregate_id": str(uuid.uuid4()),
                    "payload": {"number": f"SO-2026-{i:06d}", "total": "128.00"},
                    "created_at": now,
                    "available_at": now,
                    "attempts": 0,
                    "status": "pending",
                }
                for i in range(events)
            ]
            for start in range(0, len(rows), 1000):
                await conn.execute(insert(OutboxEvent), rows[start : start + 1000])
            await conn.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()


async def progress(url: str) -> dict[str, Any]:
    """Deliveries by status, attempts, and the first and last attempt's time."""
    from sqlalchemy import func, select

    from app.db import create_engine
    from app.repositories.webhooks import WebhookAttempt, WebhookDelivery

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            statuses = dict(
                (
                    await conn.execute(
                        select(WebhookDelivery.status, func.count()).group_by(
                            WebhookDelivery.status
                        )
                    )
                ).all()
            )
            attempts, first, last = (
                await conn.execute(
                    select(func.count(), func.min(WebhookAttempt.at), func.max(WebhookAttempt.at))
                )
            ).one()
    finally:
        await engine.dispose()
    return {"statuses": statuses, "attempts": attempts, "first": first, "last": last}


def run_one(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from app import migrate

    name = f"lading_bench_wh_{secrets.token_hex(4)}"
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(args.database_url, f'CREATE DATABASE "{name}"'))
    receiver, base = start_receiver(args.receiver_delay_ms)
    expected = args.events * args.endpoints
    procs: list[subprocess.Popen[bytes]] = []
    try:
        migrate.upgrade(url)
        asyncio.run(seed(url, base, args.events, args.endpoints))
        started = time.perf_counter()
        procs = [start_worker(url, args.batch) for _ in range(workers)]
        deadline = started + args.timeout
        state = asyncio.run(progress(url))
        while state["statuses"].get("delivered", 0) < expected:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"not all delivered after {args.timeout} s: {state}")
            time.sleep(0.2)
            state = asyncio.run(progress(url))
        wall = time.perf_counter() - started
    finally:
        for proc in procs:
            stop(proc)
        stop(receiver)
        asyncio.run(_admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    sending = (state["last"] - state["first"]).total_seconds() or 1e-6
    return {
        "workers": workers,
        "deliveries": expected,
        "delivered": state["statuses"].get("delivered", 0),
        "attempts": state["attempts"],
        "duplicates": state["attempts"] - expected,
        "wall_seconds": round(wall, 2),
        "events_per_second_wall": round(expected / wall, 1),
        "sending_seconds": round(sending, 2),
        "events_per_second": round(expected / sending, 1),
    }


def markdown(result: dict[str, Any]) -> str:
    rows = [
        "| workers | deliveries | delivered | duplicate sends | wall s | deliveries/s (wall) "
        "| deliveries/s (sending) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in result["runs"]:
        rows.append(
            f"| {r['workers']} | {r['deliveries']} | {r['delivered']} | {r['duplicates']} | "
            f"{r['wall_seconds']} | {r['events_per_second_wall']} | {r['events_per_second']} |"
        )
    m = result["machine"]
    return "\n".join(
        [
            f"# webhooks — {result['date']}",
            "",
            f"Machine: {m['cpus']} CPUs, Python {m['python']}, {m['postgres']}; commit "
            f"{result['commit']}; {result['events']} events × {result['endpoints']} endpoint(s), "
            f"receiver delay {result['receiver_delay_ms']} ms, batch {result['batch']}.",
            "",
            *rows,
            "",
        ]
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--receiver":
        serve_receiver(int(sys.argv[2]), float(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("LADING_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--endpoints", type=int, default=1)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--receiver-delay-ms", type=float, default=0.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--output", default=str(RESULTS / "webhooks"))
    args = parser.parse_args()
    version = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    result: dict[str, Any] = {
        "benchmark": "webhooks",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgres": version,
        },
        "events": args.events,
        "endpoints": args.endpoints,
        "batch": args.batch,
        "receiver_delay_ms": args.receiver_delay_ms,
        "runs": [run_one(args, workers) for workers in args.workers],
    }
    output.write(args.output, result, markdown(result))


if __name__ == "__main__":
    main()
