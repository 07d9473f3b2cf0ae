"""The planner's own rules, without a database or a solver: why a stop cannot be planned,
which vehicles may take it, a route's timeline hour by hour, its cost, the loading order."""

from __future__ import annotations

from decimal import Decimal

from app.domain.routing.drafts import draft
from app.domain.routing.model import Matrix, Solution, SolvedRoute, Window
from app.domain.routing.plans import Unplannable, route_done
from app.domain.routing.problem import Place, Truck, build_problem, duration_factor, lay_out
from app.domain.routing.schedule import Visit, route_cost, simulate, timeline
from app.domain.routing.traffic import TrafficProfile

H = 3600
FREE = TrafficProfile()
DEPOT = (31.0, 121.0)


def truck(key: str = "T1", **kw: object) -> Truck:
    values: dict[str, object] = {
        "key": key,
        "capacity_g": 1_000_000,
        "capacity_cm3": 8_000_000,
        "shift_start": 8 * H,
        "shift_end": 18 * H,
        "max_duration": None,
        "fixed_cost": Decimal("200"),
        "cost_per_km": Decimal("2.5"),
        "cost_per_hour": Decimal("60"),
        "goods_classes": frozenset({"general"}),
    } | kw
    return Truck(**values)  # type: ignore[arg-type]


def place(key: str, point: tuple[float, float] | None = (31.01, 121.01), **kw: object) -> Place:
    values: dict[str, object] = {
        "key": key,
        "point": point,
        "weight_g": 20_000,
        "volume_cm3": 36_000,
        "service_s": 360,
    } | kw
    return Place(**values)  # type: ignore[arg-type]


def square(n: int, seconds: int = 600, metres: int = 5000) -> Matrix:
    return Matrix(
        distance=[[0 if a == b else metres for b in range(n)] for a in range(n)],
        duration=[[0 if a == b else seconds for b in range(n)] for a in range(n)],
    )


def test_each_reason_a_stop_cannot_be_planned():
    trucks = [truck()]
    places = [
        place("ok"),
        place("nowhere", point=None),
        place("closed", windows=()),
        place("heavy", weight_g=2_000_000),
        place("bulky", volume_cm3=9_000_000),
        place("cold", goods_classes=frozenset({"cold_chain"})),
        place("late", windows=(Window(6 * H, 8 * H + 300),)),
    ]
    layout = lay_out(DEPOT, trucks, places)
    matrix = square(len(layout.points))
    problem, unplanned = build_problem(matrix, layout, trucks, places, {"T1": 1.0})
    assert unplanned == {
        "nowhere": Unplannable.NO_COORDINATES,
        "closed": Unplannable.CLOSED_THAT_DAY,
        "heavy": Unplannable.TOO_HEAVY,
        "bulky": Unplannable.TOO_BULKY,
        "cold": Unplannable.GOODS_CLASS_NOT_CARRIED,
        "late": Unplannable.WINDOW_UNREACHABLE,
    }
    assert [s.key for s in problem.stops] == ["ok"]
    assert problem.stops[0].vehicles == frozenset({"T1"}) and problem.stops[0].prize


def test_goods_on_a_started_vehicle_stay_on_it_and_it_takes_nothing_new():
    out = truck("OUT", sealed=True, at=(31.02, 121.02), earliest=10 * H, fixed_paid=True)
    home = truck("HOME")
    places = [place("aboard", pinned="OUT"), place("new")]
    layout = lay_out(DEPOT, [out, home], places)
    assert layout.truck_start == {"OUT": 1, "HOME": 0}
    problem, unplanned = build_problem(
        square(len(layout.points)), layout, [out, home], places, {"OUT": 1.0, "HOME": 1.0}
    )
    allowed = {s.key: s.vehicles for s in problem.stops}
    assert allowed == {"aboard": frozenset({"OUT"}), "new": frozenset({"HOME"})}
    vehicles = {v.key: v for v in problem.vehicles}
    assert vehicles["OUT"].fixed_cost == 0 and vehicles["OUT"].shift_start == 10 * H
    assert vehicles["HOME"].fixed_cost == 200 * 10_000
    assert vehicles["HOME"].unit_distance_cost == 25  # 2.5 a km in 1/10,000ths, per metre
    assert unplanned == {}


def test_goods_on_board_stay_even_when_their_window_cannot_be_met():
    out = truck("OUT", sealed=True, at=(31.02, 121.02), earliest=16 * H, fixed_paid=True)
    places = [place("aboard", pinned="OUT", windows=(Window(9 * H, 12 * H),))]
    layout = lay_out(DEPOT, [out], places)
    problem, unplanned = build_problem(square(3), layout, [out], places, {"OUT": 1.0})
    assert unplanned == {} and [s.key for s in problem.stops] == ["aboard"]


def test_rush_hour_plans_the_vehicle_at_its_slowest():
    assert duration_factor(0.5) == 2.0
    assert duration_factor(1.2) == 1.0


def test_timeline_waits_for_the_window_by_leaving_later():
    matrix = square(3, seconds=1800)
    visits = [
        Visit(key="a", location=1, service=300, windows=(Window(10 * H, 12 * H),)),
        Visit(key="b", location=2, service=300),
    ]
    early = simulate(matrix, 0, 0, 8 * H, visits, FREE)
    assert early.stops[0].wait == H + 1800 and early.stops[0].arrival == 8 * H + 1800
    late = timeline(matrix, 0, 0, 8 * H, visits, FREE)
    assert late.departure == 9 * H + 1800 and late.stops[0].wait == 0
    assert late.stops[0].arrival == 10 * H
    assert late.stops[1].arrival == 10 * H + 300 + 1800
    assert late.return_at == late.stops[1].departure + 1800
    assert late.distance == 3 * 5000 and late.duration == late.return_at - late.departure


def test_timeline_drives_each_leg_at_its_hours_speed():
    rush = TrafficProfile.from_document(
        {"traffic": [{"start": "08:00", "end": "09:00", "speed_factor": "0.5"}]}
    )
    matrix = square(2, seconds=1800)
    visits = [Visit(key="a", location=1, service=0)]
    t = simulate(matrix, 0, 0, 8 * H, visits, rush)
    assert t.stops[0].arrival == 9 * H  # half an hour of driving takes an hour at half speed
    assert simulate(matrix, 0, 0, 10 * H, visits, rush).stops[0].arrival == 10 * H + 1800


def test_a_stop_reached_after_its_window_is_late():
    matrix = square(2, seconds=3 * H)
    visits = [Visit(key="a", location=1, service=0, windows=(Window(8 * H, 9 * H),))]
    assert simulate(matrix, 0, 0, 8 * H, visits, FREE).stops[0].late


def test_route_cost_is_fixed_plus_distance_plus_time():
    assert route_cost(Decimal("200"), Decimal("2.5"), Decimal("60"), 40_000, 5400) == Decimal(
        "390.00"
    )


def test_draft_loads_last_stop_first_and_counts_left_out_stops():
    trucks = [truck()]
    places = [place("a"), place("b"), place("c")]
    layout = lay_out(DEPOT, trucks, places)
    matrix = square(len(layout.points))
    solution = Solution(routes=(SolvedRoute(vehicle="T1", stops=("b", "a")),), unassigned=("c",))
    result = draft(matrix, layout, trucks, places, solution, {}, FREE)
    (route,) = result.routes
    assert route.loading_order == ("a", "b")
    assert route.weight_g == 40_000 and route.volume_cm3 == 72_000
    assert result.unplanned == {"c": Unplannable.FLEET_FULL}
    assert result.cost == route.cost > Decimal("200")


def test_a_route_is_done_once_no_stop_is_open():
    assert route_done(["delivered", "failed"])
    assert not route_done(["delivered", "planned"])
    assert not route_done([])
