"""Allocation strategies and policies, directly, with hypothesis properties."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.domain.allocation import (
    Candidate,
    Need,
    Point,
    Policy,
    Strategy,
    great_circle_km,
    plan_allocation,
)

D = Decimal
SHANGHAI = Point(31.2304, 121.4737)
HANGZHOU = Point(30.2741, 120.1551)
BEIJING = Point(39.9042, 116.4074)
GUANGZHOU = Point(23.1291, 113.2644)


def wh(code, location, priority, **stock):
    return Candidate(code, code, priority, location, {k: D(v) for k, v in stock.items()})


def needs(**quantities):
    return [Need(f"line-{p}", p, p.upper(), D(q)) for p, q in quantities.items()]


def test_great_circle_distance() -> None:
    assert 1000 < great_circle_km(SHANGHAI, BEIJING) < 1100
    assert great_circle_km(SHANGHAI, SHANGHAI) == 0


def test_nearest_single_picks_the_nearest_warehouse_that_fills_everything() -> None:
    warehouses = [
        wh("BJ", BEIJING, 1, a=10, b=10),
        wh("GZ", GUANGZHOU, 2, a=10, b=10),
        wh("HZ", HANGZHOU, 3, a=10, b=1),
    ]
    plan = plan_allocation(
        needs(a=2, b=2),
        warehouses,
        strategy=Strategy.NEAREST_SINGLE,
        policy=Policy.SHIP_PARTIAL,
        destination=SHANGHAI,
    )
    assert {a.warehouse_id for a in plan.assignments} == {"BJ"}  # HZ is nearer but short of b
    assert plan.backordered == {}
    assert "BJ fills the whole order" in plan.reason
    hz = next(c for c in plan.considered if c["warehouse"] == "HZ")
    assert hz["fills_whole_order"] is False and hz["can_fill"]["B"] == "1"


def test_nearest_single_ties_broken_by_priority_without_coordinates() -> None:
    warehouses = [wh("B", None, 2, a=5), wh("A", None, 1, a=5)]
    plan = plan_allocation(
        needs(a=1),
        warehouses,
        strategy=Strategy.NEAREST_SINGLE,
        policy=Policy.SHIP_PARTIAL,
        destination=None,
    )
    assert plan.assignments[0].warehouse_id == "A"


def test_ship_partial_splits_and_backorders_the_rest() -> None:
    warehouses = [wh("HZ", HANGZHOU, 1, a=3), wh("BJ", BEIJING, 2, a=4)]
    plan = plan_allocation(
        needs(a=10),
        warehouses,
        strategy=Strategy.NEAREST_SINGLE,
        policy=Policy.SHIP_PARTIAL,
        destination=SHANGHAI,
    )
    assert [(a.warehouse_id, a.quantity) for a in plan.assignments] == [("HZ", 3), ("BJ", 4)]
    assert plan.backordered == {"line-a": D(3)}


def test_min_split_uses_the_fewest_warehouses() -> None:
    warehouses = [
        wh("HZ", HANGZHOU, 1, a=5),
        wh("BJ", BEIJING, 2, b=5),
        wh("GZ", GUANGZHOU, 3, a=5, b=5),
    ]
    plan = plan_allocation(
        needs(a=5, b=5),
        warehouses,
        strategy=Strategy.MIN_SPLIT,
        policy=Policy.SHIP_PARTIAL,
        destination=SHANGHAI,
    )
    assert {a.warehouse_id for a in plan.assignments} == {"GZ"}


def test_priority_strategy_follows_warehouse_priority() -> None:
    warehouses = [wh("HZ", HANGZHOU, 5, a=5), wh("GZ", GUANGZHOU, 1, a=2)]
    plan = plan_allocation(
        needs(a=4),
        warehouses,
        strategy=Strategy.PRIORITY,
        policy=Policy.SHIP_PARTIAL,
        destination=SHANGHAI,
    )
    assert [(a.warehouse_id, a.quantity) for a in plan.assignments] == [("GZ", 2), ("HZ", 2)]


def test_ship_complete_waits_and_proposes_a_consolidation() -> None:
    warehouses = [wh("HZ", HANGZHOU, 1, a=3, b=5), wh("BJ", BEIJING, 2, a=4)]
    plan = plan_allocation(
        needs(a=6, b=1),
        warehouses,
        strategy=Strategy.NEAREST_SINGLE,
        policy=Policy.SHIP_COMPLETE,
        destination=SHANGHAI,
    )
    assert plan.assignments == []
    assert plan.backordered == {"line-a": D(6), "line-b": D(1)}
    assert [(t.from_warehouse_id, t.to_warehouse_id, t.quantity) for t in plan.transfers] == [
        ("BJ", "HZ", D(3))
    ]
    no_transfer = plan_allocation(
        needs(a=6),
        warehouses,
        strategy=Strategy.NEAREST_SINGLE,
        policy=Policy.SHIP_COMPLETE,
        destination=SHANGHAI,
        allow_consolidation=False,
    )
    assert no_transfer.transfers == []


def test_ship_complete_with_a_warehouse_that_fills_everything() -> None:
    warehouses = [wh("HZ", HANGZHOU, 1, a=3), wh("BJ", BEIJING, 2, a=9)]
    plan = plan_allocation(
        needs(a=6),
        warehouses,
        strategy=Strategy.NEAREST_SINGLE,
        policy=Policy.SHIP_COMPLETE,
        destination=SHANGHAI,
    )
    assert [(a.warehouse_id, a.quantity) for a in plan.assignments] == [("BJ", 6)]


stock = st.integers(min_value=0, max_value=20)


@given(
    st.lists(st.tuples(stock, stock, st.integers(1, 5)), min_size=1, max_size=5),
    st.tuples(st.integers(0, 30), st.integers(0, 30)),
    st.sampled_from(list(Strategy)),
    st.sampled_from(list(Policy)),
)
def test_never_more_than_available_and_everything_accounted_for(
    warehouse_stock, wanted, strategy, policy
) -> None:
    warehouses = [
        wh(f"W{i}", None, prio, a=a, b=b) for i, (a, b, prio) in enumerate(warehouse_stock)
    ]
    plan = plan_allocation(
        needs(a=wanted[0], b=wanted[1]),
        warehouses,
        strategy=strategy,
        policy=policy,
        destination=None,
    )
    for c in warehouses:
        for product in ("a", "b"):
            taken = sum(
                (
                    x.quantity
                    for x in plan.assignments
                    if x.warehouse_id == c.warehouse_id and x.product_id == product
                ),
                D(0),
            )
            assert taken <= c.available[product]
    for product, quantity in (("a", wanted[0]), ("b", wanted[1])):
        taken = sum((x.quantity for x in plan.assignments if x.product_id == product), D(0))
        assert taken + plan.backordered.get(f"line-{product}", D(0)) == quantity
        assert all(x.quantity > 0 for x in plan.assignments)
    if policy is Policy.SHIP_COMPLETE and plan.assignments:
        assert len({x.warehouse_id for x in plan.assignments}) == 1
        assert plan.backordered == {}
