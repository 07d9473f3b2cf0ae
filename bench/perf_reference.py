"""The two references of ``../shared/perf-reference/`` run beside Lading in the same invocation:
pgbench with its order scripts (the database's limit) and its FastAPI + SQLAlchemy Core app
(the framework's floor), each against a database of its own loaded from ``schema.sql``.

pgbench runs ``-M prepared --max-tries=10`` as the reference's README does; ``reset.sql`` runs
before every measurement and ``check.sql`` after it (every count it labels bad must be 0).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from bench.procstat import BackendCpu, run_measured

ROOT = Path(__file__).resolve().parent.parent
BAD_CHECKS = ("oversold_rows", "reserved_mismatch_rows", "orders_without_3_lines")
FILES = ("schema.sql", "reset.sql", "check.sql", "order_uniform.sql", "order_hot.sql", "app.py")


def reference_dir(given: str | None) -> Path:
    """``../shared/perf-reference/`` beside the clone (CI links ``shared`` there too), or the
    folder given; stops with a clear message if a file is missing."""
    folder = Path(given) if given else ROOT.parent / "shared" / "perf-reference"
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise SystemExit(
            f"perf reference not found: {folder} lacks {', '.join(missing)} (pass "
            "--reference-dir or set LADING_PERF_REFERENCE to the perf-reference folder)"
        )
    return folder


def psql(dsn: str, folder: Path, name: str) -> str:
    out = subprocess.run(
        ["psql", "-X", "-q", "-A", "-P", "footer=off", "-v", "ON_ERROR_STOP=1", "-f", name, dsn],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PGOPTIONS": "-c client_min_messages=warning"},
    )
    if out.returncode != 0:
        raise RuntimeError(f"psql -f {name} failed: {out.stderr.strip()[-500:]}")
    return out.stdout


def check(dsn: str, folder: Path) -> dict[str, Any]:
    """check.sql's counts by label, and the labels that are bad and not 0."""
    lines = [x for x in psql(dsn, folder, "check.sql").splitlines() if x.strip()]
    counts: dict[str, int] = {}
    for header, values in zip(lines[::2], lines[1::2], strict=True):
        for label, value in zip(header.split("|"), values.split("|"), strict=True):
            counts[label] = int(value or 0)
    bad = {k: counts.get(k) for k in BAD_CHECKS if counts.get(k) != 0}
    if counts.get("new_outbox_rows") != counts.get("new_orders"):
        bad["outbox_rows_differ_from_orders"] = (counts.get("new_outbox_rows") or 0) - (
            counts.get("new_orders") or 0
        )
    return {"counts": counts, "bad": bad}


def pgbench(dsn: str, folder: Path, script: str, clients: int, seconds: float) -> dict[str, Any]:
    """Reset, run one pgbench script, check; tps, latency, failures, and the CPU of pgbench
    and of the database's backends."""
    database = dsn.rsplit("/", 1)[1]
    psql(dsn, folder, "reset.sql")
    backends = BackendCpu(database).start()
    argv = ["pgbench", "-n", "-M", "prepared", "--max-tries=10", "-c", str(clients), "-j", "2"]
    argv += ["-T", str(max(1, round(seconds))), "-f", script, dsn]
    code, out, err, cpu = run_measured(argv, seconds + 120, cwd=folder)
    db_cpu = backends.stop()

    def number(pattern: str) -> float | None:
        m = re.search(pattern, out)
        return float(m.group(1)) if m else None

    done = number(r"number of transactions actually processed: (\d+)") or 0
    result = {
        "script": script,
        "tps": number(r"tps = ([\d.]+)"),
        "transactions": int(done),
        "failed": number(r"number of failed transactions: (\d+)"),
        "retried": number(r"number of transactions retried: (\d+)"),
        "latency_avg_ms": number(r"latency average = ([\d.]+) ms"),
        "pgbench_cpu_ms_per_order": round(cpu * 1000 / max(done, 1), 3),
        "db_cpu_ms_per_order": round(db_cpu * 1000 / max(done, 1), 3),
        "error": None if code == 0 else (err.strip()[-500:] or out[-500:]),
    }
    result["check"] = check(dsn, folder)
    return result


def start_app(
    url: str, folder: Path, workers: int, port: int
) -> tuple[subprocess.Popen[bytes], str]:
    """The reference app under uvicorn (uvloop, httptools, no access log) on its database."""
    argv = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(folder)]
    argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    argv += ["--no-access-log", "--loop", "uvloop", "--http", "httptools"]
    proc = subprocess.Popen(
        argv,
        env={**os.environ, "DB_URL": url},
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"the reference app exited: {proc.stderr.read().decode()[-800:]}")  # type: ignore[union-attr]
        try:
            if httpx.get(f"{base}/ping", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the reference app did not answer /ping")
