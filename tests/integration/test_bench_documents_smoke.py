"""The documents benchmark still runs (a small batch, not a measurement)."""

from __future__ import annotations

import argparse


def test_documents_benchmark_runs_and_reports() -> None:
    from bench.documents import run

    result = run(argparse.Namespace(lines=20, notes=2, repeat=1))
    assert result["documents"] == 3 and result["pages"] >= 3
    assert result["cold_seconds"] > 0 and result["warm_median_seconds"] > 0
    assert result["peak_rss_mb"] > 0
