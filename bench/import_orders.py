"""Benchmark: import 10,000 orders (30,000 lines) as one CSV on PostgreSQL.

    .venv/bin/python -m bench.import_orders [--orders 10000] [--lines 3] [--database-url URL]

Creates its own database (dropped afterwards), migrates it, seeds customers and products,
then posts one CSV through the application (in-process ASGI, so the figure is Lading's own
cost, without a network hop) and reports the wall time, orders per second and the peak memory
of the process. Results are written to bench/results/import_orders.json. Not part of make test.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import platform
import resource
import secrets
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import httpx

from bench import output

RESULTS = Path(__file__).resolve().parent / "results"


async def _admin(url: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql", database="postgres")
    conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _csv(orders: int, lines: int, customers: int, products: int) -> bytes:
    out = io.StringIO()
    out.write("external_ref,customer_code,sku,quantity,notes\n")
    for i in range(orders):
        customer = f"BC{i % customers:05d}"
        for j in range(lines):
            sku = f"BP{(i * lines + j) % products:05d}"
            out.write(f"IMP-{i:06d},{customer},{sku},{1 + j},批量导入\n")
    return out.getvalue().encode()


async def run(args: argparse.Namespace) -> dict[str, object]:
    from sqlalchemy.engine import make_url

    from app import migrate
    from app.db import create_engine, create_sessionmaker
    from app.main import create_app
    from app.repositories.customers import Customer
    from app.repositories.products import Product
    from app.repositories.users import User
    from app.services.auth.passwords import hash_password
    from app.services.auth.tokens import issue_token
    from app.settings import Settings

    name = f"lading_bench_{secrets.token_hex(4)}"
    base = args.database_url
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    await _admin(base, f'CREATE DATABASE "{name}"')
    try:
        await asyncio.to_thread(migrate.upgrade, url)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            environment="test",
            database_url=url,
            secret_key=secrets.token_urlsafe(40),
            inprocess_dispatcher=False,
            log_level="WARNING",
        )
        engine = create_engine(url, pool_size=5)
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker() as session:
            for i in range(args.customers):
                session.add(
                    Customer(
                        code=f"BC{i:05d}",
                        name=f"客户 {i}",
                        currency="CNY",
                        credit_limit=Decimal("1000000"),
                        tags=[],
                        contacts=[],
                        bill_to=None,
                        ship_to=[
                            {
                                "id": str(uuid.uuid4()),
                                "is_default": True,
                                "country": "CN",
                                "city": "上海市",
                                "street": "张江路 1 号",
                            }
                        ],
                        version=1,
                    )
                )
            for i in range(args.products):
                session.add(
                    Product(
                        sku=f"BP{i:05d}",
                        name=f"商品 {i}",
                        currency="CNY",
                        list_price=Decimal("19.90"),
                        tax_rate=Decimal("0.13"),
                        substitutes=[],
                        version=1,
                    )
                )
            user = User(
                username="bench",
                full_name="",
                password_hash=hash_password("benchpass"),
                roles=["sales"],
                active=True,
                version=1,
            )
            session.add(user)
            await session.commit()
        token = issue_token(user, secret=settings.secret_key.get_secret_value(), minutes=60)
        app = create_app(settings, sessionmaker=sessionmaker)
        body = _csv(args.orders, args.lines, args.customers, args.products)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=3600
        ) as client:
            started = time.perf_counter()
            cpu_started = time.process_time()
            response = await client.post(
                "/api/v1/orders/imports",
                content=body,
                headers={
                    "Authorization": f"Bearer {token.access_token}",
                    "Content-Type": "text/csv",
                },
            )
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
        response.raise_for_status()
        summary = response.json()["summary"]
        await engine.dispose()
    finally:
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "benchmark": "import_orders",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "orders": args.orders,
        "lines": args.orders * args.lines,
        "csv_bytes": len(body),
        "created": summary["created"],
        "errors": summary["errors"],
        "seconds": round(elapsed, 2),
        "orders_per_second": round(args.orders / elapsed, 1),
        "process_cpu_seconds": round(cpu, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=3)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LADING_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    result = asyncio.run(run(parser.parse_args()))
    result["commit"] = output.commit()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import_orders.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
