"""bench/place_orders still runs end to end (a few seconds; not a measurement)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import PG_BASE_URL, _require_postgres

ROOT = Path(__file__).resolve().parents[2]


def test_place_orders_benchmark_runs_and_reports(tmp_path) -> None:
    _require_postgres()
    output = tmp_path / "place_orders"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.place_orders",
            "--database-url",
            PG_BASE_URL,
            "--products",
            "50",
            "--customers",
            "5",
            "--clients",
            "4",
            "--seconds",
            "2",
            "--warmup",
            "1",
            "--workers",
            "1",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    result = json.loads(output.with_suffix(".json").read_text())
    pg = result["postgresql"]
    run = pg["workers_1"]
    assert run["created"] > 0, run
    assert run["errors"] == 0, (run["statuses"], run["error_samples"])
    assert run["orders_per_second"] > 0 and run["p50_ms"] <= run["p99_ms"]
    assert pg["workers_1_hot"]["created"] > 0
    assert pg["sql_statements_per_order"] > 0
    assert pg["pgbench_replay"]["tps"] and pg["pgbench_replay"]["tps"] > 0
    assert pg["invariant_violations"] == []
    assert pg["pgbench_replay"]["invariant_violations"] == []
    assert result["sqlite"]["created"] > 0 and result["sqlite"]["invariant_violations"] == []
    assert "orders/s" in output.with_suffix(".md").read_text()
