"""The routing benchmark still runs: two Solomon instances, about a second each (no timing)."""

from __future__ import annotations

from app.adapters.routing.pyvrp_solver import PyVrpSolver
from app.domain.routing.nearest import NearestNeighbourSolver
from bench.routing import markdown, run_instance, summaries
from bench.solomon import best_known, instances, problem, scaled_distance


def test_the_scaled_matrix_is_exact() -> None:
    c101 = instances(["C101"])[0]
    depot, first = c101.customers[0], c101.customers[1]  # (40, 50) and (45, 68)
    assert scaled_distance(depot, first) == (18682, 18682)  # √349 = 18.681541…
    assert scaled_distance(depot, depot) == (0, 0)
    p = problem(c101)
    assert len(p.stops) == 100 and p.vehicles[0].count == 25
    assert p.vehicles[0].capacity_weight == 200 and p.vehicles[0].shift_end == 1_236_000


def test_two_instances_solve_feasibly_near_the_best_known() -> None:
    bks = best_known()
    rows = {"pyvrp": [], "nearest": []}
    for instance in instances(["C101", "R101"]):
        rows["pyvrp"].append(run_instance(instance, PyVrpSolver(), 1.0, 1, bks))
        rows["nearest"].append(run_instance(instance, NearestNeighbourSolver(), 1.0, 1, bks))
    for row in rows["pyvrp"]:
        assert row["feasible"] and row["integer_violations"] == []
        assert row["double_violations"] == []
        assert row["gap_pct"] <= 10.0, row
    for row in rows["nearest"]:
        assert row["double_violations"] == []
    result = {
        "date": "today",
        "commit": "test",
        "machine": {"cpus": 2, "load_before": 0.0, "load_after": 0.0},
        "seconds": 1.0,
        "seed": 1,
        "summary": {name: summaries(r) for name, r in rows.items()},
        "runs": rows,
    }
    assert "| pyvrp | all | 2 |" in markdown(result)
