"""Benchmark: storefront order placement end to end, at the database's limit.

    .venv/bin/python -m bench.place_orders            # short run (a few minutes)
    .venv/bin/python -m bench.place_orders --seconds 60 --clients 32 --workers 1 2

Seeds a fresh PostgreSQL database (10,000 products, 5 warehouses with coordinates, 1,000
customers with credit limits, stock for everything), starts Lading with uvicorn (access log off,
outbox left to a separate worker), and drives ``POST /api/v1/orders`` (3 lines, ``submit: true``,
API key, ``Idempotency-Key``) through pricing, review, allocation, reservation, audit and outbox
from a separate load-generator process. Reports orders/s, p50/p95/p99, errors, SQL statements
per order, server and load-generator CPU per order, a hot-spot variant (every order takes the
same 10 SKUs), a SQLite variant, and a pgbench replay of the statements Lading issues for one
order (captured from the application, not guessed), so Lading's throughput can be stated as a
fraction of what the database alone does on this machine at that moment. Ends with the
invariant check. Results: bench/results/place_orders.json and .md. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
STOCK = Decimal(10_000_000)
CAPTURED_SKUS = ("BP00001", "BP00002", "BP00003")
PRODUCTS = [10_000]
CUSTOMERS = [1_000]


# --- seeding -----------------------------------------------------------------------------


def product_uuid(index: int) -> uuid.UUID:
    """Seeded product ids are md5 of the SKU, so SQL can name a random product by its index
    (``md5('BP' || lpad(:p::text, 5, '0'))::uuid``) in the pgbench replay."""
    return uuid.UUID(hashlib.md5(sku(index).encode()).hexdigest())


def sku(index: int) -> str:
    return f"BP{index:05d}"


async def seed(url: str, products: int, customers: int) -> tuple[str, set[str]]:
    """Master data and stock, straight through SQLAlchemy Core; returns an API key secret and
    the ids of every seeded row (the pgbench replay keeps those and renews all others)."""
    from sqlalchemy import insert

    from app.bootstrap import build_bus, unit_of_work
    from app.db import create_engine, create_sessionmaker
    from app.domain.auth import Principal
    from app.repositories.customers import Customer
    from app.repositories.products import Product
    from app.repositories.stock import StockLevel, StockMovement
    from app.repositories.users import User
    from app.repositories.warehouses import Warehouse
    from app.services.auth.commands import CreateApiKey
    from app.settings import Settings

    engine = create_engine(url)
    now = datetime.now(UTC)
    sites = [
        ("SH", 31.2304, 121.4737),
        ("HZ", 30.2741, 120.1551),
        ("BJ", 39.9042, 116.4074),
        ("GZ", 23.1291, 113.2644),
        ("CD", 30.5728, 104.0668),
    ]
    warehouse_ids = [uuid.uuid4() for _ in sites]
    product_ids = [product_uuid(i) for i in range(products)]
    admin_id = uuid.uuid4()
    customer_ids = [uuid.uuid4() for _ in range(customers)]
    async with engine.begin() as conn:
        await conn.execute(
            insert(Warehouse),
            [
                {
                    "id": wid,
                    "code": code,
                    "name": f"仓库 {code}",
                    "address": None,
                    "latitude": Decimal(str(lat)),
                    "longitude": Decimal(str(lon)),
                    "priority": i,
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, (wid, (code, lat, lon)) in enumerate(zip(warehouse_ids, sites, strict=True))
            ],
        )
        await conn.execute(
            insert(Product),
            [
                {
                    "id": pid,
                    "sku": f"BP{i:05d}",
                    "name": f"商品 {i}",
                    "uom": "pcs",
                    "uom_precision": 0,
                    "goods_class": "general",
                    "currency": "CNY",
                    "list_price": Decimal("19.90"),
                    "floor_price": None,
                    "tax_rate": Decimal("0.13"),
                    "reorder_point": Decimal(0),
                    "reorder_quantity": Decimal(0),
                    "substitutes": [],
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, pid in enumerate(product_ids)
            ],
        )
        await conn.execute(
            insert(Customer),
            [
                {
                    "id": customer_ids[i],
                    "code": f"BC{i:05d}",
                    "name": f"客户 {i}",
                    "status": "active",
                    "credit_limit": Decimal("100000000"),
                    "currency": "CNY",
                    "payment_terms_days": 30,
                    "tags": [],
                    "contacts": [],
                    "bill_to": None,
                    "fulfillment_policy": "ship_partial",
                    "ship_to": [
                        {
                            "id": str(uuid.uuid4()),
                            "is_default": True,
                            "country": "CN",
                            "city": "上海市",
                            "street": f"张江路 {i} 号",
                            "latitude": "31.2",
                            "longitude": "121.5",
                        }
                    ],
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(customers)
            ],
        )
        for wid in warehouse_ids:
            await conn.execute(
                insert(StockLevel),
                [
                    {
                        "warehouse_id": wid,
                        "product_id": pid,
                        "on_hand": STOCK,
                        "reserved": Decimal(0),
                        "updated_at": now,
                    }
                    for pid in product_ids
                ],
            )
            await conn.execute(
                insert(StockMovement),
                [
                    {
                        "id": uuid.uuid4(),
                        "warehouse_id": wid,
                        "product_id": pid,
                        "kind": "receipt",
                        "quantity": STOCK,
                        "reason": "bench seed",
                        "reference": "BENCH",
                        "actor": "bench",
                        "created_at": now,
                    }
                    for pid in product_ids
                ],
            )
        await conn.execute(
            insert(User),
            [
                {
                    "id": admin_id,
                    "username": "bench-admin",
                    "full_name": "",
                    "password_hash": "-",
                    "roles": ["admin"],
                    "active": True,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    principal = Principal(str(admin_id), "bench-admin", "user", ("admin",), frozenset({"admin"}))
    bus = build_bus(Settings(_env_file=None))
    command = CreateApiKey(
        principal=principal,
        name="bench storefront",
        scopes=["orders:write", "orders:read", "orders:payment"],
        channel="storefront",
    )
    created = await bus.handle(command, unit_of_work(create_sessionmaker(engine), bus))
    await engine.dispose()
    seeded = {
        str(x) for x in [*warehouse_ids, *product_ids, *customer_ids, admin_id, created.record.id]
    }
    return created.secret, seeded


# --- the server --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(url: str) -> dict[str, str]:
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
    port = _free_port()
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
        env=_server_env(url),
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
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def _cpu_seconds(root_pid: int) -> float:
    """User + system CPU of a process and all its descendants (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += (int(stats[pid][11]) + int(stats[pid][12])) / ticks
        todo += children.get(pid, [])
    return total


def drive(
    base: str, key: str, clients: int, seconds: float, hot: bool, server: subprocess.Popen[bytes]
) -> dict[str, Any]:
    cpu0 = _cpu_seconds(server.pid)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.loadgen",
            "--url",
            base,
            "--key",
            key,
            "--clients",
            str(clients),
            "--seconds",
            str(seconds),
            "--products",
            str(PRODUCTS[0]),
            "--customers",
            str(CUSTOMERS[0]),
        ]
        + (["--hot"] if hot else []),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    server_cpu = _cpu_seconds(server.pid) - cpu0
    created = max(result["created"], 1)
    result["server_cpu_seconds"] = round(server_cpu, 2)
    result["server_cpu_ms_per_order"] = round(server_cpu * 1000 / created, 2)
    result["loadgen_cpu_ms_per_order"] = round(result["loadgen_cpu_seconds"] * 1000 / created, 2)
    return result


# --- statements per order, and the pgbench replay ----------------------------------------


async def capture_one_order(url: str, key: str) -> list[tuple[str, Any]]:
    """Place one order in-process and record every statement with its parameters."""
    from sqlalchemy import event

    from app.db import create_engine, create_sessionmaker
    from app.main import create_app
    from app.settings import Settings

    engine = create_engine(url)
    captured: list[tuple[str, Any]] = []
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        **{k[7:].lower(): v for k, v in _server_env(url).items() if k.startswith("LADING_")},
    )
    app = create_app(settings, sessionmaker=create_sessionmaker(engine))
    body = {
        "channel": "storefront",
        "external_ref": f"CAPTURE-{uuid.uuid4().hex}",
        "customer": {"code": "BC00001"},
        "submit": True,
        "lines": [{"sku": s, "quantity": "1"} for s in CAPTURED_SKUS],
        "payment": {"status": "paid", "reference": "capture", "amount": "100000"},
    }
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://capture"
    ) as client:
        await client.post(
            "/api/v1/orders",
            json={**body, "external_ref": "WARM"},
            headers={"X-API-Key": key, "Idempotency-Key": "warm"},
        )

        def record(
            conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
        ) -> None:
            params = list(parameters or ())
            if params and isinstance(params[0], list | tuple):
                captured.extend((statement, tuple(batch)) for batch in params)
            else:
                captured.append((statement, tuple(params)))

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        response = await client.post(
            "/api/v1/orders", json=body, headers={"X-API-Key": key, "Idempotency-Key": "capture"}
        )
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    response.raise_for_status()
    await engine.dispose()
    return captured


def _literal(value: Any, fresh: dict[str, str]) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return fresh.get(str(value), f"'{value}'")
    if isinstance(value, datetime | date):
        return _quote(value.isoformat())
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text in fresh:
        return fresh[text]
    return _quote(text)


def _quote(text: str) -> str:
    """A SQL string literal; colons are spelled chr(58) because pgbench reads ``:name`` as
    one of its variables."""
    parts = ["'" + part.replace("'", "''") + "'" for part in text.split(":")]
    return parts[0] if len(parts) == 1 else "(" + " || chr(58) || ".join(parts) + ")"


def pgbench_script(
    captured: list[tuple[str, Any]], seeded: set[str], products: int, captured_skus: list[str]
) -> str:
    """The captured statements as one pgbench transaction. Values the order created (its ids,
    number, external ref, idempotency key) become per-transaction values, so every replayed
    transaction inserts new rows like a real order does; its three products become three random
    products (ids and SKUs), as in the load test; everything else is replayed as is."""
    created: set[str] = set()
    for statement, params in captured:
        if statement.lstrip().upper().startswith("INSERT") and params:
            for value in params:
                if isinstance(value, uuid.UUID) and str(value) not in seeded:
                    created.add(str(value))
    fresh: dict[str, str] = {}
    for n, value in enumerate(sorted(created)):
        fresh[value] = f"md5(:client_id::text || '-' || :r::text || '-{n}')::uuid"
    for _statement, params in captured:
        for value in params or ():
            if isinstance(value, str) and (
                value.startswith(("SO-", "PAY-", "CAPTURE-")) or value == "capture"
            ):
                fresh[value] = f"('{value[:3]}' || :client_id::text || '-' || :r::text)"
    lines = ["\\set r random(1, 2000000000)"]
    # Three distinct random products (an order never names one twice: duplicates are merged).
    lines.append(f"\\set base random(0, {products // 3 - 1}) * 3")
    for n, captured_sku in enumerate(captured_skus, start=1):
        index = int(captured_sku[2:])
        lines.append(f"\\set p{n} :base + {n - 1}")
        name = f"('BP' || lpad(:p{n}::text, 5, '0'))"
        fresh[str(product_uuid(index))] = f"md5{name}::uuid"
        fresh[captured_sku] = name
    lines.append("BEGIN;")
    for statement, params in captured:
        sql = " ".join(statement.split())
        values = list(params or ())

        def substitute(match: re.Match[str], values: list[Any] = values) -> str:
            return _literal(values[int(match.group(1)) - 1], fresh)

        sql = re.sub(r"\$(\d+)", substitute, sql)
        lines.append(sql + ";")
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def pgbench(dsn: str, script: str, clients: int, seconds: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        ["pgbench", "-n", "-f", f.name, "-c", str(clients), "-j", "2", "-T", str(seconds), dsn],
        capture_output=True,
        text=True,
        check=False,
    )
    os.unlink(f.name)
    tps = re.search(r"tps = ([\d.]+)", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    return {
        "tps": float(tps.group(1)) if tps else None,
        "failed": int(failed.group(1)) if failed else None,
        "error": None if tps else (out.stderr.strip()[-500:] or out.stdout[-500:]),
    }


# --- housekeeping ------------------------------------------------------------------------


async def _admin(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def wait_idle(url: str) -> None:
    """The server keeps finishing requests after the load stops: wait for quiet."""
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        for _ in range(100):
            busy = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if not busy:
                return
            await asyncio.sleep(0.1)
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


# --- the run -----------------------------------------------------------------------------


def run_postgres(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from app import migrate

    name = f"lading_bench_{secrets.token_hex(4)}"
    url = make_url(args.database_url).set(database=name).render_as_string(hide_password=False)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    asyncio.run(_admin(args.database_url, f'CREATE DATABASE "{name}"'))
    report: dict[str, Any] = {}
    try:
        migrate.upgrade(url)
        key, seeded = asyncio.run(seed(url, args.products, args.customers))
        captured = asyncio.run(capture_one_order(url, key))
        report["sql_statements_per_order"] = len(captured)
        report["statements"] = [" ".join(s.split())[:120] for s, _ in captured]
        for workers in args.workers:
            server, base = start_server(url, workers)
            try:
                drive(base, key, args.clients, args.warmup, False, server)  # preload + warm
                asyncio.run(wait_idle(url))
                asyncio.run(analyze(url))
                report[f"workers_{workers}"] = drive(
                    base, key, args.clients, args.seconds, False, server
                )
                asyncio.run(wait_idle(url))
                report[f"workers_{workers}_hot"] = drive(
                    base, key, args.clients, args.seconds, True, server
                )
                asyncio.run(wait_idle(url))
            finally:
                stop_server(server)
        asyncio.run(wait_idle(url))
        # `lading check` over everything Lading wrote in the runs.
        report["invariant_violations"] = asyncio.run(invariants(url))
        report["pgbench_replay"] = pgbench(
            dsn,
            pgbench_script(captured, seeded, args.products, list(CAPTURED_SKUS)),
            args.clients,
            int(args.seconds),
        )
        asyncio.run(wait_idle(url))
        # The replayed statements keep the ledgers consistent too.
        report["pgbench_replay"]["invariant_violations"] = asyncio.run(invariants(url))
    finally:
        asyncio.run(_admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return report


def run_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    from app import migrate

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        key, _ = asyncio.run(seed(url, args.products, args.customers))
        server, base = start_server(url, 1)
        try:
            drive(base, key, min(args.clients, 8), args.warmup, False, server)
            result = drive(base, key, min(args.clients, 8), args.seconds, False, server)
        finally:
            stop_server(server)
        result["invariant_violations"] = asyncio.run(invariants(url))
        return result


def markdown(result: dict[str, Any]) -> str:
    pg = result["postgresql"]
    rows = [
        "| variant | orders/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/order | "
        "load-gen CPU ms/order |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in [(k, v) for k, v in pg.items() if k.startswith("workers_")] + [
        ("sqlite_1_worker", result.get("sqlite"))
    ]:
        if r:
            rows.append(
                f"| {name} | {r['orders_per_second']} | {r['p50_ms']} | {r['p95_ms']} | "
                f"{r['p99_ms']} | {r['errors']} | {r['server_cpu_ms_per_order']} | "
                f"{r['loadgen_cpu_ms_per_order']} |"
            )
    replay = pg["pgbench_replay"]
    best = max(
        (
            v["orders_per_second"]
            for k, v in pg.items()
            if k.startswith("workers_") and not k.endswith("_hot")
        ),
        default=0,
    )
    share = f"{best / replay['tps']:.0%}" if replay.get("tps") else "n/a"
    return "\n".join(
        [
            f"# place_orders — {result['date']}",
            "",
            f"Machine: {result['machine']['cpus']} CPUs, Python {result['machine']['python']}, "
            f"{result['machine']['postgres']}; commit {result['commit']}; {result['clients']} "
            f"clients, {result['seconds']} s per variant.",
            "",
            *rows,
            "",
            f"SQL statements per 3-line order: {pg['sql_statements_per_order']}.",
            f"pgbench replay of those statements: {replay.get('tps')} tps "
            f"(failed {replay.get('failed')}); best Lading run = {share} of it.",
            f"Invariant violations after the runs (`lading check`): "
            f"{len(pg['invariant_violations'])}; after the replay: "
            f"{len(replay.get('invariant_violations', []))}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("LADING_BENCH_DATABASE_URL", PG_DEFAULT)
    )
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--output", default=str(RESULTS / "place_orders"))
    args = parser.parse_args()
    PRODUCTS[0], CUSTOMERS[0] = args.products, args.customers
    version = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    result: dict[str, Any] = {
        "benchmark": "place_orders",
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
        "clients": args.clients,
        "seconds": args.seconds,
        "postgresql": run_postgres(args),
        "sqlite": None if args.skip_sqlite else run_sqlite(args),
    }
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    out.with_suffix(".md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
