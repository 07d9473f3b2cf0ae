"""bench/report_lag still runs end to end (half a minute; not a measurement): Lading and a
`lading worker` under wrk, the lag of the reports' summaries sampled during the load, the
catch-up after it and `lading check`. Needs wrk (``make tools``, which ``make test`` runs)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import PG_BASE_URL, _require_postgres

ROOT = Path(__file__).resolve().parents[2]


def test_report_lag_benchmark_runs_and_reports(tmp_path) -> None:
    _require_postgres()
    assert shutil.which("wrk"), "wrk is not installed: run `make tools`"
    output = tmp_path / "report_lag"
    argv = [sys.executable, "-m", "bench.report_lag", "--database-url", PG_BASE_URL]
    argv += ["--products", "50", "--customers", "5", "--clients", "4", "--seconds", "3"]
    argv += ["--warmup", "1", "--workers", "1", "--output", str(output)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=400, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(output.with_suffix(".json").read_text())
    assert result["load"]["created"] > 0 and result["load"]["errors"] == 0, result["load"]
    during = result["during_load"]
    assert during["samples"] >= 2, during
    assert 0 <= during["as_of_lag_p50_s"] <= during["as_of_lag_p95_s"] <= during["as_of_lag_max_s"]
    assert result["catch_up_after_load_s"] is not None  # the projector caught up
    assert result["invariant_violations"] == []
    assert "as_of lag during the load" in output.with_suffix(".md").read_text()
