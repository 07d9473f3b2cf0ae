"""CPU per storefront order, in-process: the A/B measure for changes of a few per cent.

One server run of ``bench/place_orders`` moves by ±15 % with the machine's load; this places
the same orders (a seeded random sequence of customers and SKUs) through the application
in-process (httpx ``ASGITransport``, the client's CPU included) on a database of its own, and
reports the process's CPU per order over several runs, each on a fresh application after a
warm-up, with the collector frozen as ``lading serve`` freezes it (``app.main.serve_app``).
Also the garbage collector's share (``gc.callbacks``) and the row writer's.

    .venv/bin/python -m bench.order_cpu                     # 4 runs of 500 orders, ~1 minute
    .venv/bin/python -m bench.order_cpu --runs 1 --orders 50

To compare two commits, run it in a worktree of each, alternately (the figures of
bench/README.md came from four alternating runs of each)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import secrets
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from bench import lading_server as lading
from bench import output
from bench.lading_server import server_env
from bench.orders_seed import seed, sku

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


class _Clock:
    """CPU seconds spent in garbage collections and in the row writer since ``reset``."""

    def __init__(self) -> None:
        self.gc = 0.0
        self.writer = 0.0
        self._started = 0.0

    def reset(self) -> None:
        self.gc = self.writer = 0.0

    def collecting(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.gc += time.process_time() - self._started


def _time_the_row_writer(clock: _Clock) -> None:
    import app.repositories.uow as uow_module

    write = uow_module.write_new_rows

    async def timed(*args: Any, **kwargs: Any) -> bool:
        started = time.process_time()
        try:
            return await write(*args, **kwargs)
        finally:
            clock.writer += time.process_time() - started

    uow_module.write_new_rows = timed  # type: ignore[assignment]


def _body(rnd: random.Random, products: int, customers: int) -> dict[str, Any]:
    return {
        "channel": "storefront",
        "external_ref": f"CPU-{uuid.uuid4().hex}",
        "customer": {"code": f"BC{rnd.randrange(customers):05d}"},
        "submit": True,
        "lines": [{"sku": sku(rnd.randrange(products)), "quantity": "1"} for _ in range(3)],
        "payment": {"status": "paid", "reference": "cpu", "amount": "100000"},
    }


async def _one_run(url: str, key: str, args: argparse.Namespace, clock: _Clock) -> dict[str, float]:
    import httpx

    from app.db import create_engine, create_sessionmaker
    from app.main import create_app
    from app.settings import Settings

    engine = create_engine(url)
    env = server_env(url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, **{k[7:].lower(): v for k, v in env.items() if k.startswith("LADING_")}
    )
    app = create_app(settings, sessionmaker=create_sessionmaker(engine))
    rnd = random.Random(args.seed)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://cpu") as client:

            async def place() -> None:
                answer = await client.post(
                    "/api/v1/orders",
                    json=_body(rnd, args.products, args.customers),
                    headers={"X-API-Key": key, "Idempotency-Key": uuid.uuid4().hex},
                )
                if answer.status_code != 201:
                    raise RuntimeError(f"{answer.status_code}: {answer.text[:500]}")

            for _ in range(args.warmup):
                await place()
            gc.collect()
            gc.freeze()
            clock.reset()
            started = time.process_time()
            for _ in range(args.orders):
                await place()
            spent = time.process_time() - started
    finally:
        gc.unfreeze()
        await engine.dispose()
    n = args.orders
    return {
        "cpu_ms_per_order": round(spent * 1000 / n, 3),
        "gc_ms_per_order": round(clock.gc * 1000 / n, 3),
        "row_writer_ms_per_order": round(clock.writer * 1000 / n, 3),
    }


def _summary(result: dict[str, Any]) -> str:
    runs = result["runs"]
    rows = "\n".join(
        f"| {i} | {r['cpu_ms_per_order']} | {r['gc_ms_per_order']} | "
        f"{r['row_writer_ms_per_order']} |"
        for i, r in enumerate(runs, 1)
    )
    return (
        f"# order_cpu — {result['orders']} orders per run, commit {result['commit']}\n\n"
        "| run | CPU ms/order | of it GC | of it row writer |\n|---:|---:|---:|---:|\n"
        f"{rows}\n\nmedian {result['median_cpu_ms_per_order']} ms, "
        f"min {result['min_cpu_ms_per_order']} ms\n"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from app import migrate

    name = f"lading_cpu_{secrets.token_hex(4)}"
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(lading.admin(args.database_url, f'CREATE DATABASE "{name}"'))
    clock = _Clock()
    gc.callbacks.append(clock.collecting)
    _time_the_row_writer(clock)
    try:
        migrate.upgrade(url)
        key, _ = asyncio.run(seed(url, args.products, args.customers))
        runs = [asyncio.run(_one_run(url, key, args, clock)) for _ in range(args.runs)]
    finally:
        gc.callbacks.remove(clock.collecting)
        asyncio.run(
            lading.admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )
    cpu = [r["cpu_ms_per_order"] for r in runs]
    return {
        "commit": output.commit(ROOT),
        "orders": args.orders,
        "runs": runs,
        "median_cpu_ms_per_order": round(statistics.median(cpu), 3),
        "min_cpu_ms_per_order": min(cpu),
    }


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orders", type=int, default=500)
    p.add_argument("--runs", type=int, default=4)
    p.add_argument("--warmup", type=int, default=60)
    p.add_argument("--products", type=int, default=10_000)
    p.add_argument("--customers", type=int, default=1_000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument(
        "--database-url", default=os.environ.get("LADING_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    p.add_argument("--output", default=str(ROOT / "bench" / "results" / "order_cpu"))
    return p


def main() -> None:
    args = parser().parse_args()
    result = run(args)
    output.write(args.output, result, _summary(result))


if __name__ == "__main__":
    main()
