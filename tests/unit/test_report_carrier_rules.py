"""The carriers report's pure rules: which events touch shipments, exceptions, keys, rates and
the ranking."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from app.domain.reports.carriers import (
    Figures,
    ShipmentTouch,
    carrier_of,
    delivered_on_time,
    is_exception,
    rank_value,
    service_of,
    touched,
)


def test_events_that_touch_shipments() -> None:
    assert touched("shipment.alert", "shipment", "s1") == ShipmentTouch("shipment", "s1")
    assert touched("shipment.label_purchased", "shipment", "s1") == ShipmentTouch("shipment", "s1")
    assert touched("order.shipped", "order", "o1") == ShipmentTouch("order", "o1")
    assert touched("order.delivered", "order", "o1") == ShipmentTouch("order", "o1")
    assert touched("delivery_plan.published", "delivery_plan", "p") == ShipmentTouch(
        "delivery_plan", "p"
    )
    assert touched("order.approved", "order", "o1") is None
    assert touched("invoice.issued", "invoice", "i1") is None


def test_exceptions_are_the_alerting_tracking_statuses() -> None:
    assert is_exception(["in_transit", "exception"])
    assert is_exception([None, "delivery_failed"])
    assert is_exception(["returned_to_sender"])
    assert not is_exception(["label_created", "in_transit", "delivered", None])


def test_keys_of_the_own_fleet_and_a_service() -> None:
    assert carrier_of(None, None) == ("own_fleet", "own_fleet")
    assert carrier_of("c1", "SF") == ("c1", "SF")
    assert service_of(("c1", "SF"), "express") == ("c1:express", "SF express")
    assert service_of(("own_fleet", "own_fleet"), None) == ("own_fleet:", "own_fleet")


def test_on_time_against_the_promised_date() -> None:
    late = datetime(2026, 3, 11, 0, 30, tzinfo=UTC)
    assert delivered_on_time(late, date(2026, 3, 10)) == (True, False)
    assert delivered_on_time(late, date(2026, 3, 11)) == (True, True)
    assert delivered_on_time(None, date(2026, 3, 11)) == (False, False)
    assert delivered_on_time(late, None) == (False, False)


def test_rates_and_costs() -> None:
    f = Figures(shipments=3, delivered_with_promise=2, on_time=1, exceptions=1)
    f.add(Figures(costed_shipments=2, cost=Decimal("67"), costed_kg=Decimal("8")))
    assert (f.on_time_rate, f.exception_rate) == (Decimal("0.5"), Decimal("0.3333"))
    assert (f.cost_per_shipment, f.cost_per_kg) == (Decimal("33.50"), Decimal("8.38"))
    assert Figures().on_time_rate is None and Figures().cost_per_kg is None


def test_best_first_and_missing_figures_last() -> None:
    good = Figures(shipments=5, delivered_with_promise=2, on_time=2, exceptions=0)
    bad = Figures(shipments=2, delivered_with_promise=2, on_time=1, exceptions=1)
    none = Figures(shipments=1)

    def order(metric: str) -> list[str]:
        items = {"good": good, "bad": bad, "none": none}
        return sorted(items, key=lambda k: (rank_value(metric, items[k], None), k))

    assert order("shipments") == ["good", "bad", "none"]
    assert order("on_time_rate") == ["good", "bad", "none"]  # none delivered: last
    assert order("exception_rate") == ["good", "none", "bad"]  # lower is better
    cheap = Figures(costed_shipments=1, cost=Decimal("5"), costed_kg=Decimal("1"))
    dear = Figures(costed_shipments=1, cost=Decimal("9"), costed_kg=Decimal("1"))
    assert rank_value("cost_per_kg", good, cheap) < rank_value("cost_per_kg", good, dear)
    assert rank_value("cost_per_kg", good, dear) < rank_value("cost_per_kg", good, None)
