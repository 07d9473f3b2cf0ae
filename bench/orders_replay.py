"""Statements of one Lading order, captured in-process and counted on the wire, and their
pgbench replay (the database's limit for exactly those statements)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import httpx

from bench.lading_server import server_env
from bench.orders_seed import product_uuid
from bench.wire import Relay

CAPTURED_SKUS = ("BP00001", "BP00002", "BP00003")


async def capture_one_order(url: str, key: str) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    """Place one order in-process (after a first one to warm the caches and the pool) and
    record every statement with its parameters, and what it cost on the wire (PostgreSQL
    only: through ``bench.wire.Relay``)."""
    from sqlalchemy.engine import make_url

    if not url.startswith("postgresql"):
        return await _capture(url, key, None)
    async with Relay(make_url(url).port or 5432, make_url(url).host or "127.0.0.1") as relay:
        relayed = make_url(url).set(host="127.0.0.1", port=relay.port)
        return await _capture(relayed.render_as_string(hide_password=False), key, relay)


async def _capture(
    url: str, key: str, relay: Relay | None
) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    from sqlalchemy import event

    from app.db import create_engine, create_sessionmaker
    from app.main import create_app
    from app.settings import Settings

    engine = create_engine(url)
    captured: list[tuple[str, Any]] = []
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        **{k[7:].lower(): v for k, v in server_env(url).items() if k.startswith("LADING_")},
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
            # A true executemany gives a sequence per row; insertmanyvalues gives one flat
            # row under executemany too, and the one-statement insert flat arrays without it.
            if executemany and all(isinstance(p, list | tuple) for p in params):
                captured.extend((statement, tuple(batch)) for batch in params)
            else:
                captured.append((statement, tuple(params)))

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        if relay:
            relay.count.reset()
        response = await client.post(
            "/api/v1/orders", json=body, headers={"X-API-Key": key, "Idempotency-Key": "capture"}
        )
        wire = relay.count.report() if relay else {}
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    response.raise_for_status()
    await engine.dispose()
    return captured, wire


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
    if isinstance(value, list):
        # An array parameter (the unit of work writes each column of new rows as one).
        return "ARRAY[" + ", ".join(_literal(v, fresh) for v in value) + "]"
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    if text in fresh:
        return fresh[text]
    return _quote(text)


def _scalars(params: Any) -> Any:
    """Every value of a statement's parameters, the elements of array parameters included."""
    for value in params:
        if isinstance(value, list):
            yield from value
        else:
            yield value


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
        if "INSERT" in statement.upper() and params:
            for value in _scalars(params):
                if isinstance(value, uuid.UUID) and str(value) not in seeded:
                    created.add(str(value))
    fresh: dict[str, str] = {}
    for n, value in enumerate(sorted(created)):
        fresh[value] = f"md5(:client_id::text || '-' || :r::text || '-{n}')::uuid"
    for _statement, params in captured:
        for value in _scalars(params or ()):
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


def replay(dsn: str, script: str, clients: int, seconds: int) -> dict[str, Any]:
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
