"""The feasibility check and the timing rules it shares with the nearest-neighbour solver."""

from __future__ import annotations

import pytest

from app.domain.routing.check import check_solution
from app.domain.routing.model import Problem, Solution, SolvedRoute, Window
from app.domain.routing.timing import Clock, duration_ratio, service_start, stretch
from tests.routing_builders import line, stop, vehicle


def problem(*stops, **kw) -> Problem:
    return Problem(line(1, 2, 3), tuple(stops), (vehicle(**kw),))


def check(p: Problem, *routes: tuple[str, ...], unassigned: tuple[str, ...] = ()) -> list[str]:
    solved = tuple(SolvedRoute("van", r) for r in routes)
    return check_solution(p, Solution(routes=solved, unassigned=unassigned))


@pytest.mark.parametrize(
    ("factor", "seconds", "stretched"),
    [(1.0, 10, 10), (1.1, 10, 11), (1.2, 10, 12), (1.25, 7, 9), (1.3333, 3, 4)],
)
def test_a_duration_factor_stretches_and_rounds_up(factor, seconds, stretched) -> None:
    assert stretch(seconds, duration_ratio(factor)) == stretched


def test_a_factor_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        duration_ratio(0.9)


def test_service_starts_in_the_earliest_window_still_open() -> None:
    windows = (Window(500, 600), Window(0, 50))
    assert service_start(20, windows) == 20
    assert service_start(60, windows) == 500
    assert service_start(601, windows) is None
    assert service_start(7, ()) == 7


def test_shortest_duration_leaves_late_instead_of_waiting() -> None:
    p = problem(stop("a", 1, windows=(Window(0, 50), Window(1000, 1100))), stop("b", 2))
    clock = Clock(p.matrix, p.vehicles[0])
    assert clock.drive(p.stops, 0).starts == (1000, 1100)
    assert clock.shortest_duration(p.stops) == 100 + 100 + 200


def test_a_feasible_solution_has_no_violation() -> None:
    p = problem(stop("a", 1, weight=50), stop("b", 2, weight=50, windows=(Window(0, 300),)))
    assert check(p, ("a", "b")) == []


def test_capacity_in_both_dimensions() -> None:
    p = problem(stop("a", 1, weight=60, volume=70), stop("b", 2, weight=60, volume=70))
    assert check(p, ("a", "b")) == [
        "route 1 (van): carries 120 g, capacity 100 g",
        "route 1 (van): carries 140 cm³, capacity 100 cm³",
    ]


def test_a_window_missed() -> None:
    p = problem(stop("a", 1), stop("b", 2, windows=(Window(0, 150),)))
    assert check(p, ("a", "b")) == ["route 1 (van): reaches stop b after its last window closes"]


def test_back_after_the_shift_and_too_long() -> None:
    p = problem(stop("c", 3), shift_end=500)
    assert check(p, ("c",)) == ["route 1 (van): back at 600, after shift end 500"]
    p = problem(stop("c", 3), max_duration=500)
    assert check(p, ("c",)) == ["route 1 (van): lasts 600 s, more than 500 s"]


def test_a_vehicle_the_stop_does_not_allow() -> None:
    p = problem(stop("a", 1, vehicles=frozenset({"reefer"})))
    assert check(p, ("a",)) == ["route 1 (van): stop a does not allow vehicle van"]


def test_coverage_and_fleet_size() -> None:
    p = problem(stop("a", 1), stop("b", 2), stop("c", 3, prize=5))
    assert check(p, ("a", "a"), ("x",), unassigned=("b",)) == [
        "vehicle van drives 2 routes but only 1",
        "unknown stop x",
        "stop a routed 2 times",
        "required stop b is not routed",
        "optional stop c neither routed nor listed unassigned",
    ]
