"""bench/webhooks still runs end to end (a few seconds; not a measurement)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import PG_BASE_URL, _require_postgres

ROOT = Path(__file__).resolve().parents[2]


def test_webhooks_benchmark_runs_and_reports(tmp_path) -> None:
    _require_postgres()
    output = tmp_path / "webhooks"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.webhooks",
            "--database-url",
            PG_BASE_URL,
            "--events",
            "30",
            "--workers",
            "1",
            "2",
            "--batch",
            "10",
            "--timeout",
            "120",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    result = json.loads(output.with_suffix(".json").read_text())
    assert [r["workers"] for r in result["runs"]] == [1, 2]
    for run in result["runs"]:
        assert run["delivered"] == run["deliveries"] == 30, run
        assert run["duplicates"] == 0 and run["events_per_second"] > 0
    assert "deliveries/s" in output.with_suffix(".md").read_text()
