"""The scale benchmark still runs end to end (a few hundred orders, not a measurement)."""

from __future__ import annotations

import asyncio

from tests.conftest import PG_BASE_URL, _require_postgres


def test_scale_benchmark_runs_and_reports() -> None:
    from bench.scale import markdown, parser, run

    _require_postgres()
    args = parser().parse_args(
        [
            "--orders=300",
            "--customers=20",
            "--products=60",
            "--requests=2",
            "--warmup=1",
            "--deep-pages=3",
            f"--database-url={PG_BASE_URL}",
        ]
    )
    result = asyncio.run(run(args))
    assert result["check_violations"] == 0
    assert result["rows"]["orders"] == 300 and result["rows"]["order_lines"] == 900
    assert result["rows"]["stock_levels"] == 5 * 60
    assert result["deep_page"]["no_filter"] == 3
    names = [q["name"] for q in result["queries"]]
    assert len(names) == 33 and len(set(names)) == 33
    reports = [q for q in result["queries"] if q["kind"] == "report"]
    assert len(reports) == 15 and all(q["target_p95_ms"] == 300 for q in reports)
    assert any("FROM report_sales" in s["sql"] for s in reports[0]["statements"])
    summaries = result["report_summaries"]
    assert summaries["orders"] == 300 and summaries["check_violations"] == 0
    assert summaries["rows"]["report_line_facts"] == 900
    for query in result["queries"]:
        assert query["requests"] == 2
        assert 0 < query["min_ms"] <= query["p50_ms"] <= query["p95_ms"] <= query["max_ms"]
        assert query["statements"] and all(s["plan"] for s in query["statements"])
        if query["name"].startswith("orders"):
            assert any("FROM orders" in s["sql"] for s in query["statements"]), query["name"]
    text = markdown({**result, "commit": "test"})
    assert "| orders: first page |" in text and "## The reports' plans" in text
