"""Lading under uvicorn for the benchmarks (``lading serve``), and the checks run after a load."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "LADING_DATABASE_URL": url,
        "LADING_ENVIRONMENT": "production",
        "LADING_SECRET_KEY": secrets.token_hex(32),
        "LADING_INPROCESS_DISPATCHER": "false",
        "LADING_LOG_LEVEL": "WARNING",
        "LADING_DATABASE_POOL_SIZE": "20",
    }


def start_server(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=server_env(url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(proc)
    raise RuntimeError("the server did not become ready")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


async def admin(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def analyze(url: str) -> None:
    from sqlalchemy import text

    from app.db import create_engine

    engine = create_engine(url)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("ANALYZE"))
    await engine.dispose()


async def invariants(url: str) -> list[str]:
    from app.db import create_engine, create_sessionmaker
    from app.repositories.uow import SqlAlchemyUnitOfWork
    from app.services.check import check_invariants

    engine = create_engine(url)
    violations = await check_invariants(SqlAlchemyUnitOfWork(create_sessionmaker(engine)))
    await engine.dispose()
    return [f"{v.rule}: {v.detail}" for v in violations[:10]]
