"""The import benchmark still runs (a few orders, not a measurement)."""

from __future__ import annotations

import argparse
import asyncio

from tests.conftest import PG_BASE_URL, _require_postgres


def test_import_benchmark_runs_and_reports() -> None:
    from bench.import_orders import run

    _require_postgres()
    args = argparse.Namespace(orders=5, lines=3, customers=2, products=4, database_url=PG_BASE_URL)
    result = asyncio.run(run(args))
    assert result["created"] == 5 and result["errors"] == 0
    assert result["lines"] == 15
    assert result["seconds"] > 0 and result["orders_per_second"] > 0
