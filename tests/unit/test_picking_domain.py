"""Pick lists: the walking path (serpentine), grouping, sharing a short pick, confirmation."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InvalidState, RuleViolation
from app.domain.locations import BinCode
from app.domain.picking import (
    Confirmation,
    Demand,
    Stop,
    check_can_change,
    check_confirmation,
    format_pick_list_number,
    plan_pick_lines,
    share_picked,
    walking_path,
)

D = Decimal


def stop(sku: str, code: str | None) -> Stop:
    return Stop(sku, BinCode(*code.split("-")) if code else None)


def test_path_is_zone_aisle_shelf_bin_with_serpentine_aisles() -> None:
    stops = [
        stop("none", None),
        stop("b-01-1", "B-01-1-1"),
        stop("a-02-3", "A-02-3-1"),
        stop("a-01-2", "A-01-2-1"),
        stop("a-03-1", "A-03-1-1"),
        stop("a-02-1", "A-02-1-1"),
        stop("a-01-1b", "A-01-1-2"),
        stop("a-01-1a", "A-01-1-1"),
        stop("a-03-2", "A-03-2-1"),
    ]
    assert [s.sku for s in walking_path(stops)] == [
        "a-01-1a",  # 1st aisle of zone A: shelves ascend, bins ascend
        "a-01-1b",
        "a-01-2",
        "a-02-3",  # 2nd aisle: shelves descend
        "a-02-1",
        "a-03-1",  # 3rd aisle: ascend again
        "a-03-2",
        "b-01-1",  # next zone
        "none",  # no bin location: last
    ]


def test_directions_follow_the_aisles_visited_and_codes_compare_naturally() -> None:
    stops = [stop("x", "A-9-1-1"), stop("y", "A-10-1-1"), stop("z", "A-10-2-1")]
    # A-9 is the 1st aisle visited, A-10 the 2nd (natural order, not "10" < "9"): descends.
    assert [s.sku for s in walking_path(stops)] == ["x", "z", "y"]


def test_plan_groups_demands_by_product_and_walks_them() -> None:
    p1, p2, p3 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    o1, o2 = uuid.uuid4(), uuid.uuid4()

    def demand(order: uuid.UUID, product: uuid.UUID, sku: str, q: str) -> Demand:
        return Demand(order, str(order)[:4], uuid.uuid4(), product, sku, D(q))

    demands = [
        demand(o1, p1, "P1", "2"),
        demand(o1, p2, "P2", "1"),
        demand(o2, p1, "P1", "3"),
        demand(o2, p3, "P3", "4"),
        demand(o2, p2, "P2", "0"),  # nothing left to pick: dropped
    ]
    lines = plan_pick_lines(
        demands, {p1: BinCode("A", "02", "1", "1"), p2: BinCode("A", "01", "1", "1")}
    )
    assert [(x.sku, x.quantity, len(x.items)) for x in lines] == [
        ("P2", D(1), 1),
        ("P1", D(5), 2),
        ("P3", D(4), 1),
    ]
    assert lines[1].items[0].order_id == o1 and lines[2].location is None


def test_share_picked_serves_the_oldest_orders_first() -> None:
    assert share_picked([D(2), D(3), D(4)], D(9)) == [D(2), D(3), D(4)]
    assert share_picked([D(2), D(3), D(4)], D(4)) == [D(2), D(2), D(0)]
    assert share_picked([D(2), D(3)], D(0)) == [D(0), D(0)]


def test_confirmation_rules() -> None:
    to_pick = {"A": D(5), "B": D(2)}
    check_confirmation(to_pick, [Confirmation("A", D(5)), Confirmation("B", D(0))])
    with pytest.raises(RuleViolation) as err:
        check_confirmation(to_pick, [Confirmation("A", D(6)), Confirmation("B", D(1))])
    assert [(i.field, i.rule) for i in err.value.issues] == [("lines.0.picked", "at_most_to_pick")]
    with pytest.raises(RuleViolation) as err:
        check_confirmation(to_pick, [Confirmation("A", D(1)), Confirmation("C", D(1))])
    assert [(i.field, i.rule) for i in err.value.issues] == [
        ("lines.1.sku", "on_pick_list"),
        ("lines", "every_line"),
    ]


def test_only_open_pick_lists_change() -> None:
    check_can_change("open", "confirmed")
    check_can_change("assigned", "confirmed")
    with pytest.raises(InvalidState):
        check_can_change("picked", "confirmed")
    assert format_pick_list_number(2026, 42) == "PL-2026-000042"


codes = st.text(alphabet="AB0123456789", min_size=1, max_size=3)
locations = st.one_of(st.none(), st.builds(BinCode, codes, codes, codes, codes))


@given(st.lists(locations, max_size=30), st.randoms())
def test_path_is_a_deterministic_permutation(found: list[BinCode | None], rnd) -> None:
    stops = [Stop(f"S{i:03d}", loc) for i, loc in enumerate(found)]
    path = walking_path(stops)
    assert sorted(path, key=lambda s: s.sku) == stops  # a permutation of the input
    shuffled = list(stops)
    rnd.shuffle(shuffled)
    assert walking_path(shuffled) == path  # the input order does not matter
    seen_none = False
    for s in path:  # stops without a location come last
        seen_none = seen_none or s.location is None
        assert s.location is None or not seen_none
