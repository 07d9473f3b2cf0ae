"""Benchmark: does password guessing slow everyone else down, and is it stopped?

    .venv/bin/python -m bench.login_guessing            # 10 threads x 20 wrong passwords

Serves Lading with uvicorn (one process, a fresh SQLite file) and creates one user. Ten threads
then send wrong passwords for that user while another thread times ``GET /healthz`` every 50 ms.
Two runs:

- ``unthrottled``: the sign-in limits are raised out of reach, so every guess runs argon2. This
  shows whether hashing blocks the event loop (before the fix the median ``/healthz`` went from
  5 ms to 0.9 s).
- ``defaults``: the shipped limits, counting how many guesses are refused with 429 before any
  password is checked.

Prints the answers by status and the ``/healthz`` p50/p95/max. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from app import migrate
from app.db import create_engine, create_sessionmaker
from app.main import create_app
from app.repositories.users import User
from app.services.auth.passwords import hash_off_loop
from app.settings import Settings

USER, PASSWORD = "bench-user", "the right password"


async def _create_user(url: str) -> None:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            session.add(
                User(
                    username=USER,
                    full_name="",
                    password_hash=await hash_off_loop(PASSWORD),
                    roles=["viewer"],
                    active=True,
                )
            )
            await session.commit()
    finally:
        await engine.dispose()


def _serve(settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=port, log_config=None, access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def run(overrides: dict[str, Any], threads: int, guesses: int) -> dict[str, Any]:
    """One run: the answers by status, the time it took and the ``/healthz`` latencies (ms)."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        asyncio.run(_create_user(url))
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            environment="test",
            database_url=url,
            secret_key="b" * 40,
            inprocess_dispatcher=False,
            log_level="WARNING",
            **overrides,
        )
        server, thread, base = _serve(settings)
        done = threading.Event()
        latencies: list[float] = []

        def probe() -> None:
            with httpx.Client(base_url=base) as client:
                while not done.is_set():
                    started = time.perf_counter()
                    client.get("/healthz")
                    latencies.append(time.perf_counter() - started)
                    time.sleep(0.05)

        def guess(n: int) -> list[int]:
            with httpx.Client(base_url=base, timeout=60) as client:
                return [
                    client.post(
                        "/api/v1/auth/token", data={"username": USER, "password": f"wrong-{n}-{i}"}
                    ).status_code
                    for i in range(guesses)
                ]

        prober = threading.Thread(target=probe)
        prober.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            statuses = Counter(s for answers in pool.map(guess, range(threads)) for s in answers)
        elapsed = time.perf_counter() - started
        done.set()
        prober.join()
        server.should_exit = True
        thread.join(timeout=20)
    return {
        "statuses": statuses,
        "seconds": elapsed,
        "healthz_ms": sorted(x * 1000 for x in latencies),
    }


def _report(label: str, result: dict[str, Any]) -> str:
    ms, statuses = result["healthz_ms"], result["statuses"]
    p95 = ms[max(int(len(ms) * 0.95) - 1, 0)]
    return (
        f"{label}: {sum(statuses.values())} guesses in {result['seconds']:.1f} s, answers "
        f"{dict(sorted(statuses.items()))}; /healthz p50 {statistics.median(ms):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ms[-1]:.1f} ms over {len(ms)} probes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=10)
    parser.add_argument("--guesses", type=int, default=20, help="wrong passwords per thread")
    args = parser.parse_args()
    out_of_reach = {
        "login_max_failures": 1_000_000,
        "login_max_failures_per_address": 1_000_000,
    }
    print(_report("unthrottled", run(out_of_reach, args.threads, args.guesses)))
    print(_report("defaults", run({}, args.threads, args.guesses)))


if __name__ == "__main__":
    main()
