"""Both route solvers on small problems made by hand, one rule each, every answer checked by
``check_solution`` (problems from ``tests.routing_builders``)."""

from __future__ import annotations

import pytest

from app.adapters.routing.pyvrp_solver import PyVrpSolver
from app.domain.routing.check import check_solution
from app.domain.routing.model import Matrix, Problem, Solution, Window
from app.domain.routing.nearest import BY_DISTANCE, NearestNeighbourSolver
from app.domain.routing.timing import Clock
from tests.routing_builders import BIG_PRIZE, line, scattered, stop, vehicle

SOLVERS = [PyVrpSolver(), NearestNeighbourSolver(), NearestNeighbourSolver(BY_DISTANCE)]
IDS = ["pyvrp", "nearest", "nearest-by-distance"]


def solve(solver, problem: Problem, iterations: int = 500) -> Solution:
    solution = solver.solve(problem, time_limit=1.0, seed=7, iterations=iterations)
    assert check_solution(problem, solution) == []
    return solution


def starts(problem: Problem, solution: Solution) -> dict[str, int]:
    """Service start of every routed stop, driving each route from its shift start."""
    stops = {s.key: s for s in problem.stops}
    vehicles = {v.key: v for v in problem.vehicles}
    found: dict[str, int] = {}
    for route in solution.routes:
        seq = [stops[k] for k in route.stops]
        timeline = Clock(problem.matrix, vehicles[route.vehicle]).drive(seq, 0)
        found |= {k: t for k, t in zip(route.stops, timeline.starts, strict=True) if t is not None}
    return found


def routed(solution: Solution) -> dict[str, str]:
    return {key: route.vehicle for route in solution.routes for key in route.stops}


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
@pytest.mark.parametrize("dimension", ["weight", "volume"])
def test_capacity_in_either_dimension_forces_two_routes(solver, dimension) -> None:
    load = {dimension: 60}
    problem = Problem(line(1, 2), (stop("a", 1, **load), stop("b", 2, **load)), (vehicle(count=2),))
    solution = solve(solver, problem)
    assert solution.feasible and solution.unassigned == ()
    assert sorted(len(r.stops) for r in solution.routes) == [1, 1]


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_time_windows_decide_the_order(solver) -> None:
    stops = (
        stop("late", 1, windows=(Window(2000, 2100),)),
        stop("early", 2, windows=(Window(0, 300),)),
    )
    solution = solve(solver, Problem(line(2, 1), stops, (vehicle(),)))
    assert solution.feasible
    assert [r.stops for r in solution.routes] == [("early", "late")]
    assert starts(Problem(line(2, 1), stops, (vehicle(),)), solution) == {
        "early": 100,
        "late": 2000,
    }


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_a_stop_with_two_windows_is_served_in_one_of_them(solver) -> None:
    stops = (
        stop("twice", 1, windows=(Window(0, 50), Window(1000, 1100))),
        stop("first", 2, windows=(Window(0, 300),)),
    )
    problem = Problem(line(2, 1), stops, (vehicle(),))
    solution = solve(solver, problem)
    assert solution.feasible and solution.unassigned == ()
    assert 1000 <= starts(problem, solution)["twice"] <= 1100


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_a_stop_goes_only_to_a_vehicle_it_allows(solver) -> None:
    stops = (stop("cold", 1, vehicles=frozenset({"reefer"})), stop("dry", 2))
    problem = Problem(line(1, 2), stops, (vehicle("truck"), vehicle("reefer")))
    solution = solve(solver, problem)
    assert solution.feasible
    assert routed(solution)["cold"] == "reefer"


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_an_optional_stop_that_cannot_fit_is_left_unassigned(solver) -> None:
    stops = (stop("must", 1, weight=80), stop("maybe", 2, weight=30, prize=BIG_PRIZE))
    solution = solve(solver, Problem(line(1, 2), stops, (vehicle(),)))
    assert solution.feasible
    assert routed(solution) == {"must": "van"} and solution.unassigned == ("maybe",)
    assert solution.cost == 2000 + BIG_PRIZE


@pytest.mark.filterwarnings("ignore::pyvrp.exceptions.PenaltyBoundWarning")
@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_a_required_stop_no_vehicle_can_serve_makes_the_solution_infeasible(solver) -> None:
    stops = (stop("far", 1, windows=(Window(0, 50),)),)
    solution = solver.solve(Problem(line(1), stops, (vehicle(),)), time_limit=1.0, seed=1)
    assert not solution.feasible


@pytest.mark.filterwarnings("ignore::pyvrp.exceptions.PenaltyBoundWarning")
def test_pyvrp_answer_is_checked_for_vehicles_a_stop_does_not_allow() -> None:
    stops = (stop("cold", 1, vehicles=frozenset({"reefer"})), stop("dry", 2))
    problem = Problem(line(1, 2), stops, (vehicle("truck"),))
    solution = PyVrpSolver().solve(problem, time_limit=1.0, seed=1, iterations=200)
    assert not solution.feasible
    assert routed(solution) == {"dry": "truck"} and solution.unassigned == ("cold",)
    assert "solver put stop cold on vehicle truck" in solution.notes


# Two stops 10 km out in different directions, 25 km apart: two routes drive 40 km, one 45 km.
FORK = Matrix(
    distance=[[0, 10_000, 10_000], [10_000, 0, 25_000], [10_000, 25_000, 0]],
    duration=[[0, 600, 600], [600, 0, 1500], [600, 1500, 0]],
)


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_fixed_cost_makes_one_vehicle_do_what_two_could(solver) -> None:
    fleet = (vehicle(count=2, fixed_cost=100_000),)
    solution = solve(solver, Problem(FORK, (stop("a", 1), stop("b", 2)), fleet))
    assert len(solution.routes) == 1
    assert solution.cost == 100_000 + 45_000


def test_without_fixed_cost_pyvrp_takes_the_shorter_two_routes() -> None:
    solution = solve(
        PyVrpSolver(), Problem(FORK, (stop("a", 1), stop("b", 2)), (vehicle(count=2),))
    )
    assert len(solution.routes) == 2 and solution.cost == 40_000


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
@pytest.mark.parametrize(("factor", "served"), [(1.0, True), (1.1, True), (1.2, False)])
def test_duration_factor_can_make_a_tight_window_unreachable(solver, factor, served) -> None:
    stops = (stop("tight", 1, windows=(Window(0, 110),), prize=BIG_PRIZE),)
    solution = solve(solver, Problem(line(1), stops, (vehicle(duration_factor=factor),)))
    assert solution.feasible
    assert (solution.unassigned == ()) is served


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_the_return_to_the_depot_counts_against_the_shift_end(solver) -> None:
    stops = (stop("far", 1, prize=BIG_PRIZE), stop("near", 2, prize=BIG_PRIZE))
    solution = solve(solver, Problem(line(5, 1), stops, (vehicle(shift_end=900),)))
    assert solution.unassigned == ("far",)


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_max_duration_splits_a_route(solver) -> None:
    fleet = (vehicle(count=2, max_duration=700),)
    solution = solve(solver, Problem(line(3, -3), (stop("east", 1), stop("west", 2)), fleet))
    assert solution.feasible and len(solution.routes) == 2


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_waiting_before_the_first_stop_does_not_count_against_max_duration(solver) -> None:
    stops = (stop("noon", 1, windows=(Window(43_200, 43_300),)),)
    solution = solve(solver, Problem(line(1), stops, (vehicle(max_duration=300),)))
    assert solution.feasible and solution.unassigned == ()


@pytest.mark.parametrize("solver", SOLVERS, ids=IDS)
def test_the_same_seed_and_iterations_give_the_same_routes(solver) -> None:
    problem = scattered(30, seed=3)
    runs = [solver.solve(problem, time_limit=30.0, seed=11, iterations=300) for _ in range(2)]
    assert runs[0].routes == runs[1].routes and runs[0].cost == runs[1].cost
    assert check_solution(problem, runs[0]) == []


def test_pyvrp_beats_nearest_neighbour_on_a_scattered_problem() -> None:
    problem = scattered(30, seed=5)
    nearest = solve(NearestNeighbourSolver(), problem)
    pyvrp = solve(PyVrpSolver(), problem, iterations=2000)
    assert pyvrp.unassigned == () and pyvrp.cost < nearest.cost
