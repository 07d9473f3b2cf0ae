"""The table-rate carrier adapter: quotes from the domain's table, idempotent labels, tracking."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from app.adapters.carriers.base import CarrierError, ShipmentFacts
from app.adapters.carriers.table_rate import LABEL_CONTENT_TYPE, LabelJournal, TableRateCarrier
from app.domain.carrier_selection import CarrierTerms, ZoneRate
from app.domain.products import GoodsClass

NOW = datetime(2026, 11, 23, 9, 0)


def terms(**overrides) -> CarrierTerms:
    values = {
        "code": "fleet",
        "currency": "CNY",
        "coverage": {"CN": frozenset()},
        "max_package_weight_kg": Decimal("30"),
        "goods_classes": frozenset({GoodsClass.GENERAL}),
        "transit_days": {"local": 1, "far": 3},
        "rates": {
            "local": ZoneRate(Decimal("10.00"), Decimal("1.25")),
            "far": ZoneRate(Decimal("20.00"), Decimal("2.00")),
        },
        "zone_rules": {"CN/上海市": "local", "default": "far"},
        "cutoff": time(16, 0),
    }
    values.update(overrides)
    return CarrierTerms(**values)


def shipment(reference: str = "SHP-1", **overrides) -> ShipmentFacts:
    values = {
        "reference": reference,
        "country": "CN",
        "region": "上海市",
        "weight_kg": Decimal("4"),
        "goods_classes": frozenset({GoodsClass.GENERAL}),
        "ship_at": NOW,
    }
    values.update(overrides)
    return ShipmentFacts(**values)


def clock() -> datetime:
    return datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def fleet(**kwargs) -> TableRateCarrier:
    return TableRateCarrier(terms(), services=("van", "bike"), clock=clock, **kwargs)


async def test_quote_prices_every_service_from_the_table() -> None:
    rates = await fleet().quote(shipment())
    assert [r.service for r in rates] == ["van", "bike"]
    assert {(r.price, r.currency, r.zone, r.promised_date) for r in rates} == {
        (Decimal("15.00"), "CNY", "local", date(2026, 11, 24))
    }
    far = await fleet().quote(shipment(region="广东省", ship_at=datetime(2026, 11, 23, 17)))
    assert far[0].price == Decimal("28.00") and far[0].promised_date == date(2026, 11, 27)


async def test_quote_is_empty_when_the_carrier_cannot_take_the_shipment() -> None:
    assert await fleet().quote(shipment(weight_kg=Decimal("31"))) == []
    assert await fleet().quote(shipment(country="US", region=None)) == []
    hazardous = frozenset({GoodsClass.HAZARDOUS})
    assert await fleet().quote(shipment(goods_classes=hazardous)) == []


async def test_without_services_a_single_standard_rate() -> None:
    rates = await TableRateCarrier(terms()).quote(shipment())
    assert [r.service for r in rates] == ["standard"]


async def test_buy_label_makes_a_deterministic_tracking_number_and_text_label() -> None:
    adapter = fleet()
    rate = (await adapter.quote(shipment()))[0]
    label = await adapter.buy_label(shipment(), rate, "key-1")
    assert label.tracking_number.startswith("FLEET-")
    suffix = label.tracking_number.removeprefix("FLEET-")
    assert len(suffix) == 12 and suffix.isalnum()
    assert label.content_type == LABEL_CONTENT_TYPE == "text/plain; charset=utf-8"
    text = label.document.decode("utf-8")
    assert f"TRACKING: {label.tracking_number}" in text
    assert "SHIPMENT: SHP-1" in text and "DESTINATION: CN/上海市" in text
    assert label.price == Decimal("15.00") and label.service == "van"
    # Another adapter instance, same key: the same number.
    other = await fleet().buy_label(shipment(), rate, "key-1")
    assert other.tracking_number == label.tracking_number
    different = await adapter.buy_label(shipment("SHP-2"), rate, "key-2")
    assert different.tracking_number != label.tracking_number


async def test_a_retry_with_the_same_key_returns_the_same_label() -> None:
    adapter = fleet()
    rate = (await adapter.quote(shipment()))[0]
    first = await adapter.buy_label(shipment(), rate, "key-1")
    again = await adapter.buy_label(shipment(), rate, "key-1")
    assert again == first
    events = await adapter.track(first.tracking_number)
    assert [e.status for e in events] == ["label_created"]


async def test_the_same_key_for_another_shipment_is_refused() -> None:
    adapter = fleet()
    rate = (await adapter.quote(shipment()))[0]
    await adapter.buy_label(shipment(), rate, "key-1")
    with pytest.raises(CarrierError) as caught:
        await adapter.buy_label(shipment("SHP-9"), rate, "key-1")
    assert caught.value.status == 409 and caught.value.retryable is False


async def test_buy_label_refuses_a_foreign_rate_or_an_ineligible_shipment() -> None:
    adapter = fleet()
    rate = (await adapter.quote(shipment()))[0]
    foreign = await TableRateCarrier(terms(code="other")).quote(shipment())
    with pytest.raises(CarrierError):
        await adapter.buy_label(shipment(), foreign[0], "k")
    with pytest.raises(CarrierError) as caught:
        await adapter.buy_label(shipment(weight_kg=Decimal("99")), rate, "k2")
    assert caught.value.status == 422
    assert adapter.journal.labels == {}


async def test_cancel_then_track_returns_what_was_recorded() -> None:
    journal = LabelJournal()
    adapter = fleet(journal=journal)
    rate = (await adapter.quote(shipment()))[0]
    label = await adapter.buy_label(shipment(), rate, "key-1")
    adapter.record_scan(label.tracking_number, "picked_up", "Driver 7")
    await adapter.cancel_label(label)
    await adapter.cancel_label(label)  # twice is not an error and records nothing more
    events = await fleet(journal=journal).track(label.tracking_number)
    assert [(e.status, e.description) for e in events] == [
        ("label_created", "Label bought for SHP-1."),
        ("picked_up", "Driver 7"),
        ("cancelled", "Label cancelled."),
    ]
    assert all(e.occurred_at == clock() for e in events)


async def test_a_delivered_label_cannot_be_cancelled() -> None:
    adapter = fleet()
    label = await adapter.buy_label(shipment(), (await adapter.quote(shipment()))[0], "k")
    adapter.record_scan(label.tracking_number, "delivered")
    with pytest.raises(CarrierError) as caught:
        await adapter.cancel_label(label)
    assert caught.value.status == 409


async def test_unknown_tracking_numbers_are_carrier_errors() -> None:
    with pytest.raises(CarrierError) as caught:
        await fleet().track("FLEET-NOPE")
    assert caught.value.status == 404 and caught.value.retryable is False


async def test_own_fleet_has_no_webhooks() -> None:
    with pytest.raises(CarrierError) as caught:
        await fleet().verify_webhook({"X-Signature": "x"}, b"{}")
    assert caught.value.retryable is False and caught.value.status == 404
