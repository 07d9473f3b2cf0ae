"""bench/order_cpu still runs end to end and reports what it says (seconds; not a measurement)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import PG_BASE_URL, _require_postgres

ROOT = Path(__file__).resolve().parents[2]


def test_order_cpu_benchmark_runs_and_reports(tmp_path) -> None:
    _require_postgres()
    output = tmp_path / "order_cpu"
    argv = [sys.executable, "-m", "bench.order_cpu", "--database-url", PG_BASE_URL]
    argv += ["--runs", "2", "--orders", "5", "--warmup", "2", "--products", "30"]
    argv += ["--customers", "3", "--output", str(output)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(output.with_suffix(".json").read_text())
    assert result["orders"] == 5 and len(result["runs"]) == 2
    for run in result["runs"]:
        # every order went through the row writer, and neither part exceeds the whole
        assert 0 < run["row_writer_ms_per_order"] < run["cpu_ms_per_order"]
        assert 0 <= run["gc_ms_per_order"] < run["cpu_ms_per_order"]
    cpu = sorted(r["cpu_ms_per_order"] for r in result["runs"])
    assert result["min_cpu_ms_per_order"] == cpu[0]
    assert cpu[0] <= result["median_cpu_ms_per_order"] <= cpu[-1]
    assert "| run | CPU ms/order |" in output.with_suffix(".md").read_text()
