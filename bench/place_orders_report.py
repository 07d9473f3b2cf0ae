"""The summary of bench/place_orders: Lading beside its references, as markdown."""

from __future__ import annotations

from typing import Any


def _pct(a: float | None, b: float | None) -> float | None:
    return round(100 * a / b, 1) if a and b else None


def comparison(result: dict[str, Any]) -> dict[str, Any]:
    """Lading (2 workers if it ran, else its most workers) as a share of each reference."""
    pg, ref = result["postgresql"], result.get("reference") or {}
    runs = [k for k in pg if k.startswith("workers_") and k[8:].isdigit()]
    if not runs:
        return {}
    best = max(runs, key=lambda k: int(k[8:]))
    lading = pg[best]
    app = ref.get("app_2_workers") or {}
    return {
        "lading_run": best,
        "lading_orders_per_second": lading["orders_per_second"],
        "pct_of_pgbench_uniform": _pct(
            lading["orders_per_second"], (ref.get("pgbench_uniform") or {}).get("tps")
        ),
        "pct_of_reference_app": _pct(lading["orders_per_second"], app.get("orders_per_second")),
        "server_cpu_x_reference": round(
            lading["server_cpu_ms_per_order"] / app["server_cpu_ms_per_order"], 1
        )
        if app.get("server_cpu_ms_per_order")
        else None,
        "hot_pct_of_uniform": _pct(
            (pg.get(f"{best}_hot") or {}).get("orders_per_second"), lading["orders_per_second"]
        ),
        "pct_of_lading_replay": _pct(
            lading["orders_per_second"], pg.get("pgbench_replay", {}).get("tps")
        ),
    }


def _stat(r: dict[str, Any], key: str) -> Any:
    return (r.get("pg_stat_database") or {}).get(key, "")


def _load_rows(named: list[tuple[str, dict[str, Any] | None]]) -> list[str]:
    rows = [
        "| run | orders/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/order | "
        "DB CPU ms/order | load-gen CPU ms/order (% of a core) | xact/order | rollbacks/order | "
        "rows written/order |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in named:
        if not r:
            continue
        rate = (
            r.get("orders_per_second")
            or f"{r.get('achieved_rate')} (offered {r.get('offered_rate')})"
        )
        pg = r.get("pg_stat_database") or {}
        written = (
            round(pg["rows_inserted_per_order"] + pg["rows_updated_per_order"], 2) if pg else ""
        )
        rows.append(
            f"| {name} | {rate} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['errors']} | "
            f"{r['server_cpu_ms_per_order']} | {r.get('db_cpu_ms_per_order', '')} | "
            f"{r['loadgen_cpu_ms_per_order']} ({r.get('loadgen_cpu_pct_of_core')} %) | "
            f"{_stat(r, 'transactions_per_order')} | "
            f"{_stat(r, 'rollbacks_per_order')} | {written} |"
        )
    return rows


def _reference_lines(ref: dict[str, Any] | None) -> list[str]:
    if not ref:
        return ["References: not run (--skip-reference).", ""]
    lines = ["## References (`../shared/perf-reference/`)", ""]
    for variant in ("uniform", "hot"):
        r = ref[f"pgbench_{variant}"]
        lines.append(
            f"- pgbench `order_{variant}.sql`: {r['tps']} tps, {r['latency_avg_ms']} ms average, "
            f"failed {r['failed']}, retried {r['retried']}; DB CPU {r['db_cpu_ms_per_order']} "
            f"ms/order, pgbench {r['pgbench_cpu_ms_per_order']} ms/order; check.sql bad counts: "
            f"{r['check']['bad'] or 'none'}"
        )
    lines.append(
        f"- reference app after its runs, check.sql bad counts: {ref['check']['bad'] or 'none'}"
    )
    lines += [
        "",
        *_load_rows(
            [
                ("reference app, 2 workers (wrk, closed loop)", ref.get("app_2_workers")),
                (
                    "reference app, 2 workers, open loop at half peak",
                    ref.get("app_2_workers_open_loop"),
                ),
            ]
        ),
        "",
    ]
    return lines


def _profile_lines(profile: dict[str, Any] | None) -> list[str]:
    if not profile:
        return []
    if "layers" not in profile:
        return [f"Profile failed: {profile.get('error')}", ""]
    rows = [
        "## Profile by layer (py-spy, Lading 1 worker)",
        "",
        f"{profile['samples']} samples; {profile['server_cpu_ms_per_order']} ms server CPU per "
        f"order in that run; raw stacks: `{profile['raw_file']}`.",
        "",
        "| layer | share | ms/order |",
        "|---|---:|---:|",
    ]
    rows += [
        f"| {r['layer']} | {r['share']:.1%} | {r['ms_per_order']} |" for r in profile["layers"]
    ]
    rows += ["", f"Other, by leaf package: {profile['other_by_package']}", ""]
    return rows


def _statement_calls(result: dict[str, Any]) -> str:
    """Calls per order of every run that counted them (BEGIN/COMMIT/ROLLBACK included)."""
    runs = {**(result.get("reference") or {}), **result["postgresql"]}
    calls = {
        k: v["pg_stat_statements_calls_per_order"]
        for k, v in runs.items()
        if isinstance(v, dict) and "pg_stat_statements_calls_per_order" in v
    }
    return "calls per order (BEGIN, COMMIT and ROLLBACK included) " + ", ".join(
        f"{k} {v}" for k, v in calls.items()
    )


def markdown(result: dict[str, Any]) -> str:
    pg, m, c = result["postgresql"], result["machine"], result.get("comparison") or {}
    lading = [(k, v) for k, v in pg.items() if k.startswith("workers_") and isinstance(v, dict)]
    replay = pg["pgbench_replay"]
    wire = pg.get("wire_per_order") or {}
    statements = result["pg_stat_statements"]
    counted = _statement_calls(result) if statements["loaded"] else statements["note"]
    return "\n".join(
        [
            f"# place_orders — {result['date']}",
            "",
            f"Machine: {m['cpus']} CPUs, Python {m['python']}, {m['postgres']}, {m['wrk']}; "
            f"commit {result['commit']}; load average {m['load_average']} before, "
            f"{m.get('load_average_after')} after; {result['clients']} connections, "
            f"{result['seconds']} s per run.",
            "",
            *_reference_lines(result.get("reference")),
            "## Lading",
            "",
            *_load_rows([*lading, ("sqlite_1_worker", result.get("sqlite"))]),
            "",
            f"Lading ({c.get('lading_run')}): {c.get('pct_of_pgbench_uniform')} % of pgbench "
            f"uniform, {c.get('pct_of_reference_app')} % of the reference app, server CPU "
            f"{c.get('server_cpu_x_reference')}× the reference's; hot spot "
            f"{c.get('hot_pct_of_uniform')} % of uniform; {c.get('pct_of_lading_replay')} % of "
            "the replay of its own statements.",
            "",
            f"One order: {pg['sql_statements_per_order']} SQL statements (in-process capture); on "
            f"the wire {wire.get('round_trips')} round trips, {wire.get('executes')} executes, "
            f"{wire.get('parses')} parses, {wire.get('transactions')} transactions "
            f"(simple queries {wire.get('simple_queries')}).",
            f"pg_stat_statements: {counted}.",
            f"pgbench replay of those statements: {replay.get('tps')} tps "
            f"(failed {replay.get('failed')}).",
            f"Invariant violations after the runs (`lading check`): "
            f"{len(pg['invariant_violations'])}; after the replay: "
            f"{len(replay.get('invariant_violations', []))}.",
            "",
            *_profile_lines(pg.get("profile")),
        ]
    )
