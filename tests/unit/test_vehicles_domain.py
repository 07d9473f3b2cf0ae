"""Vehicle master-data rules and what a vehicle may carry, without a database."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from app.domain.routing.vehicles import VehicleTerms, can_carry, vehicle_issues

D = Decimal


def terms(**overrides) -> VehicleTerms:
    values = {
        "capacity_kg": D("1200"),
        "capacity_m3": D("8.5"),
        "shift_start": time(8, 0),
        "shift_end": time(18, 0),
        "max_route_minutes": None,
        "fixed_cost": D("150"),
        "cost_per_km": D("1.8"),
        "cost_per_hour": D("45"),
        "currency": "CNY",
        "goods_classes": ("general", "fragile"),
    } | overrides
    return VehicleTerms(**values)


def rules(issues) -> set[tuple[str, str]]:
    return {(i.field, i.rule) for i in issues}


def test_a_valid_vehicle_breaks_nothing() -> None:
    assert vehicle_issues(terms()) == []
    assert vehicle_issues(terms(max_route_minutes=600, fixed_cost=D(0))) == []


def test_route_minutes_default_to_the_shift() -> None:
    assert terms().shift_minutes == 600
    assert terms().route_minutes == 600
    assert terms(max_route_minutes=240).route_minutes == 240


def test_capacity_must_be_above_zero() -> None:
    assert rules(vehicle_issues(terms(capacity_kg=D(0), capacity_m3=D("-1")))) == {
        ("capacity_kg", "positive"),
        ("capacity_m3", "positive"),
    }


def test_shift_ends_after_it_starts_on_the_same_day() -> None:
    for end in (time(8, 0), time(6, 0)):
        assert rules(vehicle_issues(terms(shift_end=end))) == {("shift_end", "after_start")}


def test_max_route_minutes_is_positive_and_within_the_shift() -> None:
    assert rules(vehicle_issues(terms(max_route_minutes=0))) == {("max_route_minutes", "positive")}
    assert rules(vehicle_issues(terms(max_route_minutes=601))) == {
        ("max_route_minutes", "within_shift")
    }


def test_costs_currency_and_goods_classes() -> None:
    broken = terms(cost_per_km=D("-0.01"), currency="XYZ", goods_classes=("general", "livestock"))
    assert rules(vehicle_issues(broken)) == {
        ("cost_per_km", "not_negative"),
        ("currency", "iso_4217"),
        ("goods_classes.1", "known_goods_class"),
    }
    assert rules(vehicle_issues(terms(goods_classes=()))) == {("goods_classes", "required")}


def test_can_carry_when_every_class_of_the_stop_is_carried() -> None:
    assert can_carry({"general", "cold_chain"}, {"cold_chain"})
    assert can_carry({"general", "cold_chain"}, ["general", "cold_chain"])
    assert not can_carry({"general"}, {"general", "fragile"})
    # a stop naming no class carries general goods
    assert can_carry({"general"}, set())
    assert not can_carry({"cold_chain"}, [])
