"""bench/place_orders still runs end to end (a minute; not a measurement): the perf references,
Lading under wrk and the open-loop generator, PostgreSQL's counters, the replay, SQLite.

Needs wrk (``make tools``, which ``make test`` and ``.ci/run`` run) and the perf reference
(``../shared/perf-reference`` beside the clone, or ``LADING_PERF_REFERENCE``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.place_orders_report import comparison
from bench.profile import OTHER, by_layer, table
from tests.conftest import PG_BASE_URL, _require_postgres

ROOT = Path(__file__).resolve().parents[2]


def _run(output: Path) -> dict:
    argv = [sys.executable, "-m", "bench.place_orders", "--database-url", PG_BASE_URL]
    argv += ["--products", "50", "--customers", "5", "--clients", "4", "--seconds", "2"]
    argv += ["--warmup", "1", "--workers", "1", "--settle", "0", "--output", str(output)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=400, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(output.with_suffix(".json").read_text())


def _well_formed(run: dict) -> None:
    assert run["created"] > 0, run
    assert run["errors"] == 0, (run["statuses"], run.get("error_samples"))
    assert run["p50_ms"] <= run["p95_ms"] <= run["p99_ms"]
    assert run["orders_served"] >= run["created"]  # the server finishes what was in flight
    assert run["server_cpu_ms_per_order"] > 0
    assert 0 < run["loadgen_cpu_ms_per_order"] < run["server_cpu_ms_per_order"]


def test_place_orders_benchmark_runs_and_reports(tmp_path) -> None:
    _require_postgres()
    assert shutil.which("wrk"), "wrk is not installed: run `make tools`"
    reference = os.environ.get("LADING_PERF_REFERENCE") or str(
        ROOT.parent / "shared/perf-reference"
    )
    assert Path(reference, "app.py").is_file(), f"no perf reference at {reference}"
    result = _run(tmp_path / "place_orders")

    ref = result["reference"]
    for variant in ("pgbench_uniform", "pgbench_hot"):
        assert ref[variant]["tps"] > 0 and ref[variant]["failed"] == 0, ref[variant]
        assert ref[variant]["check"]["bad"] == {}, ref[variant]["check"]
        assert ref[variant]["check"]["counts"]["new_orders"] == ref[variant]["transactions"]
    _well_formed(ref["app_2_workers"])
    assert ref["app_2_workers"]["pg_stat_database"]["orders"] > 0
    assert ref["app_2_workers_open_loop"]["offered_rate"] > 0
    assert ref["check"]["bad"] == {}

    pg = result["postgresql"]
    for name in ("workers_1", "workers_1_hot", "workers_1_open_loop"):
        _well_formed(pg[name])
    stats = pg["workers_1"]["pg_stat_database"]
    assert stats["orders"] == pg["workers_1"]["orders_served"]
    # Without --settle the backends' last counters may not be reported yet: only their presence
    # is checked here (one transaction per order in the full run).
    assert stats["delta"]["tup_inserted"] > 0 and stats["transactions_per_order"] > 0
    assert pg["workers_1"]["db_cpu_ms_per_order"] > 0
    wire = pg["wire_per_order"]
    assert wire["round_trips"] >= wire["transactions"] >= 1 and wire["commits"] >= 1
    assert wire["executes"] >= pg["sql_statements_per_order"] > 0
    assert pg["pgbench_replay"]["tps"] and pg["pgbench_replay"]["tps"] > 0
    assert pg["invariant_violations"] == []
    assert pg["pgbench_replay"]["invariant_violations"] == []
    assert result["sqlite"]["created"] > 0 and result["sqlite"]["invariant_violations"] == []
    assert result["pg_stat_statements"]["loaded"] in (True, False)
    assert result["comparison"] == comparison(result)
    assert result["comparison"]["pct_of_reference_app"] > 0
    summary = tmp_path.joinpath("place_orders.md").read_text()
    assert "orders/s" in summary and "% of the reference app" in summary


COLLAPSED = "\n".join(
    [
        "run (/x/site-packages/uvicorn/server.py);"
        "_run_once (/usr/lib/python3.11/asyncio/base_events.py) 5",
        "handle (/x/site-packages/fastapi/routing.py);"
        f"place ({ROOT}/app/services/orders/place.py);__add__ (/usr/lib/python3.11/decimal.py) 3",
        "flush (/x/site-packages/sqlalchemy/orm/session.py);"
        "process (/x/site-packages/sqlalchemy/sql/compiler.py) 4",
        "fetch (/x/site-packages/asyncpg/connection.py) 2",
        "main (/usr/lib/python3.11/runpy.py) 1",
    ]
)


def test_profile_gives_each_sample_to_the_nearest_owning_layer() -> None:
    layers, others, total = by_layer(COLLAPSED)
    assert total == 15
    assert layers["uvicorn/httptools"] == 5  # the event loop under uvicorn's frame
    assert layers["Lading (app/)"] == 3  # decimal called by Lading's own code
    assert layers["SQLAlchemy Core (sql/ statements, compiler, cache keys; engine/, pool/)"] == 4
    assert layers["asyncpg (driver and SQLAlchemy's adapter)"] == 2
    assert layers[OTHER] == 1 and others == {"stdlib:runpy": 1}
    rows = {r["layer"]: r for r in table(COLLAPSED, 10.0)["layers"]}
    assert rows["Lading (app/)"]["ms_per_order"] == 2.0
    assert sum(r["share"] for r in rows.values()) == pytest.approx(1.0, abs=1e-3)
