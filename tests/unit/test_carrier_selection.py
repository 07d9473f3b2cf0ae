"""Carrier selection: every filter, every preference, prices, promises, and a property."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.domain.carrier_selection import (
    CarrierTerms,
    ExclusionReason,
    Preference,
    ShipmentFacts,
    ZoneRate,
    carrier_issues,
    evaluate,
    select_carriers,
    ship_date,
)
from app.domain.products import GoodsClass

G = GoodsClass
MONDAY_MORNING = datetime(2026, 11, 23, 9, 0)


def carrier(code: str = "FLEET", **overrides) -> CarrierTerms:
    values = {
        "code": code,
        "currency": "CNY",
        "coverage": {"CN": frozenset({"上海市", "浙江省"})},
        "max_package_weight_kg": Decimal("30"),
        "goods_classes": frozenset({G.GENERAL, G.FRAGILE}),
        "transit_days": {"local": 1, "near": 2},
        "rates": {
            "local": ZoneRate(Decimal("10.00"), Decimal("1.50")),
            "near": ZoneRate(Decimal("15.00"), Decimal("2.00")),
        },
        "zone_rules": {"CN/上海市": "local", "default": "near"},
        "cutoff": time(16, 0),
        "surcharges": {G.FRAGILE: Decimal("5.00")},
    }
    values.update(overrides)
    return CarrierTerms(**values)


def shipment(**overrides) -> ShipmentFacts:
    values = {
        "country": "CN",
        "region": "上海市",
        "weight_kg": Decimal("2"),
        "goods_classes": frozenset({G.GENERAL}),
        "now": MONDAY_MORNING,
        "deliver_by": None,
    }
    values.update(overrides)
    return ShipmentFacts(**values)


def reasons(selection) -> dict[str, ExclusionReason]:
    return {e.carrier_code: e.reason for e in selection.exclusions}


def test_price_is_base_plus_per_kg_times_weight_plus_surcharges_rounded_once() -> None:
    quote = evaluate(
        carrier(), shipment(weight_kg=Decimal("2.333"), goods_classes=frozenset({G.FRAGILE}))
    )
    # 10.00 + 1.50 × 2.333 + 5.00 = 18.4995 → 18.50
    assert quote.price == Decimal("18.50")
    assert quote.zone == "local" and quote.currency == "CNY"


def test_price_rounds_to_the_currency_minor_unit() -> None:
    jpy = carrier(
        currency="JPY",
        rates={
            "local": ZoneRate(Decimal(500), Decimal("33.5")),
            "near": ZoneRate(Decimal(900), Decimal(40)),
        },
    )
    assert evaluate(jpy, shipment(weight_kg=Decimal("1"))).price == Decimal("534")


def test_zone_rules_prefer_region_then_country_then_default() -> None:
    terms = carrier(
        coverage={"CN": frozenset(), "HK": frozenset()},
        zone_rules={"CN/上海市": "local", "CN": "near", "default": "far"},
        transit_days={"local": 1, "near": 2, "far": 4},
        rates={z: ZoneRate(Decimal(1), Decimal(0)) for z in ("local", "near", "far")},
    )
    assert terms.zone_for("CN", "上海市") == "local"
    assert terms.zone_for("CN", "广东省") == "near"
    assert terms.zone_for("HK", None) == "far"


def test_ship_date_is_today_before_the_cutoff_and_tomorrow_from_it() -> None:
    cutoff = time(16, 0)
    assert ship_date(datetime(2026, 11, 23, 15, 59), cutoff) == date(2026, 11, 23)
    assert ship_date(datetime(2026, 11, 23, 16, 0), cutoff) == date(2026, 11, 24)


def test_promise_is_ship_date_plus_zone_transit_days() -> None:
    before = evaluate(carrier(), shipment(region="浙江省"))
    after = evaluate(carrier(), shipment(region="浙江省", now=datetime(2026, 11, 23, 17, 0)))
    assert before.promised_date == date(2026, 11, 25)
    assert after.ship_date == date(2026, 11, 24) and after.promised_date == date(2026, 11, 26)


def test_inactive_carrier_is_excluded() -> None:
    selection = select_carriers([carrier(active=False)], shipment())
    assert selection.choices == ()
    assert reasons(selection) == {"FLEET": ExclusionReason.INACTIVE}


def test_coverage_filters_country_and_listed_regions() -> None:
    terms = carrier(coverage={"CN": frozenset({"上海市"}), "HK": frozenset()})
    assert reasons(select_carriers([terms], shipment(country="US", region=None))) == {
        "FLEET": ExclusionReason.NO_COVERAGE
    }
    assert reasons(select_carriers([terms], shipment(region="广东省"))) == {
        "FLEET": ExclusionReason.NO_COVERAGE
    }
    whole_country = select_carriers([terms], shipment(country="HK", region="九龙"))
    assert [c.carrier_code for c in whole_country.choices] == ["FLEET"]


def test_destination_without_a_zone_is_not_covered() -> None:
    terms = carrier(zone_rules={"CN/上海市": "local"})
    selection = select_carriers([terms], shipment(region="浙江省"))
    assert reasons(selection) == {"FLEET": ExclusionReason.NO_COVERAGE}


def test_weight_above_the_package_limit_is_too_heavy_and_at_the_limit_is_fine() -> None:
    assert reasons(select_carriers([carrier()], shipment(weight_kg=Decimal("30.001")))) == {
        "FLEET": ExclusionReason.TOO_HEAVY
    }
    at_limit = select_carriers([carrier()], shipment(weight_kg=Decimal("30")))
    assert [c.carrier_code for c in at_limit.choices] == ["FLEET"]


def test_hazardous_goods_need_a_carrier_that_accepts_them() -> None:
    goods = frozenset({G.GENERAL, G.HAZARDOUS})
    hazmat = carrier("HAZMAT", goods_classes=frozenset({G.GENERAL, G.HAZARDOUS}))
    selection = select_carriers([carrier(), hazmat], shipment(goods_classes=goods))
    assert [c.carrier_code for c in selection.choices] == ["HAZMAT"]
    assert reasons(selection) == {"FLEET": ExclusionReason.GOODS_CLASS_REFUSED}
    assert "hazardous" in selection.exclusions[0].detail


def test_deadline_excludes_carriers_that_deliver_too_late() -> None:
    slow = carrier("SLOW", transit_days={"local": 3, "near": 5})
    facts = shipment(deliver_by=date(2026, 11, 24))
    selection = select_carriers([carrier(), slow], facts)
    assert [c.carrier_code for c in selection.choices] == ["FLEET"]
    assert reasons(selection) == {"SLOW": ExclusionReason.MISSES_DEADLINE}
    # Past the cutoff, the fast carrier leaves tomorrow and misses it too.
    late = select_carriers(
        [carrier()], shipment(deliver_by=date(2026, 11, 24), now=datetime(2026, 11, 23, 18, 0))
    )
    assert reasons(late) == {"FLEET": ExclusionReason.MISSES_DEADLINE}


def test_delivery_on_the_requested_date_is_in_time() -> None:
    selection = select_carriers([carrier()], shipment(deliver_by=date(2026, 11, 24)))
    assert selection.choices[0].quote.promised_date == date(2026, 11, 24)


def _three() -> list[CarrierTerms]:
    cheap_slow = carrier(
        "CHEAP",
        transit_days={"local": 4, "near": 5},
        rates={"local": ZoneRate(Decimal(5), Decimal(1)), "near": ZoneRate(Decimal(5), Decimal(1))},
    )
    fast_dear = carrier(
        "FAST",
        transit_days={"local": 0, "near": 1},
        rates={
            "local": ZoneRate(Decimal(40), Decimal(1)),
            "near": ZoneRate(Decimal(40), Decimal(1)),
        },
    )
    return [carrier("MID"), fast_dear, cheap_slow]


def test_cheapest_ranks_by_price() -> None:
    selection = select_carriers(_three(), shipment(), Preference.CHEAPEST)
    assert [c.carrier_code for c in selection.choices] == ["CHEAP", "MID", "FAST"]
    assert [c.quote.price for c in selection.choices] == [
        Decimal("7.00"),
        Decimal("13.00"),
        Decimal("42.00"),
    ]
    assert selection.choices[0].reason.startswith("cheapest:")


def test_fastest_ranks_by_promised_date() -> None:
    selection = select_carriers(_three(), shipment(), Preference.FASTEST)
    assert [c.carrier_code for c in selection.choices] == ["FAST", "MID", "CHEAP"]
    assert selection.choices[0].quote.promised_date == MONDAY_MORNING.date()
    assert selection.choices[0].reason.startswith("fastest:")


def test_fastest_breaks_ties_by_price() -> None:
    twin = carrier(
        "TWIN",
        rates={"local": ZoneRate(Decimal(1), Decimal(0)), "near": ZoneRate(Decimal(1), Decimal(0))},
    )
    selection = select_carriers([carrier(), twin], shipment(), Preference.FASTEST)
    assert [c.carrier_code for c in selection.choices] == ["TWIN", "FLEET"]


def test_preferred_carrier_comes_first_then_cheapest() -> None:
    selection = select_carriers(_three(), shipment(), Preference.PREFERRED, "FAST")
    assert [c.carrier_code for c in selection.choices] == ["FAST", "CHEAP", "MID"]
    assert selection.choices[0].reason.startswith("preferred carrier:")
    assert selection.choices[1].reason.startswith("cheapest:")


def test_an_ineligible_preferred_carrier_is_excluded_and_the_rest_cheapest() -> None:
    carriers = [*_three(), carrier("PREF", active=False)]
    selection = select_carriers(carriers, shipment(), Preference.PREFERRED, "PREF")
    assert [c.carrier_code for c in selection.choices] == ["CHEAP", "MID", "FAST"]
    assert reasons(selection) == {"PREF": ExclusionReason.INACTIVE}


def test_carrier_issues_need_a_default_zone_and_priced_timed_zones() -> None:
    assert carrier_issues(carrier()) == []
    issues = carrier_issues(carrier(zone_rules={"CN": "far"}))
    assert {(i.field, i.rule) for i in issues} == {
        ("zone_rules", "has_default"),
        ("zone_rules.CN", "priced_zone"),
        ("zone_rules.CN", "timed_zone"),
    }


carriers_strategy = st.lists(
    st.builds(
        carrier,
        code=st.text("ABCDEFGH", min_size=1, max_size=4),
        active=st.booleans(),
        coverage=st.sampled_from(
            [{"CN": frozenset()}, {"CN": frozenset({"上海市"})}, {"US": frozenset()}]
        ),
        max_package_weight_kg=st.decimals(min_value=1, max_value=50, places=3),
        goods_classes=st.frozensets(st.sampled_from(list(G)), min_size=1),
        transit_days=st.fixed_dictionaries({"local": st.integers(0, 5), "near": st.integers(0, 5)}),
        cutoff=st.times(),
    ),
    max_size=8,
    unique_by=lambda c: c.code,
)


@given(
    carriers=carriers_strategy,
    weight=st.decimals(min_value="0.001", max_value=60, places=3),
    goods=st.frozensets(st.sampled_from(list(G)), max_size=3),
    region=st.sampled_from(["上海市", "浙江省", None]),
    now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)),
    deliver_in=st.none() | st.integers(0, 6),
    preference=st.sampled_from(list(Preference)),
)
def test_every_carrier_is_either_chosen_or_excluded_exactly_once(
    carriers, weight, goods, region, now, deliver_in, preference
) -> None:
    facts = shipment(
        weight_kg=weight,
        goods_classes=goods,
        region=region,
        now=now,
        deliver_by=None if deliver_in is None else now.date() + timedelta(days=deliver_in),
    )
    preferred = carriers[0].code if carriers else None
    selection = select_carriers(carriers, facts, preference, preferred)
    seen = [c.carrier_code for c in selection.choices] + [
        e.carrier_code for e in selection.exclusions
    ]
    assert sorted(seen) == sorted(c.code for c in carriers)
    for choice in selection.choices:
        assert choice.quote.price >= 0
        if facts.deliver_by is not None:
            assert choice.quote.promised_date <= facts.deliver_by
        assert choice.quote.promised_date >= now.date()


def test_prices_in_other_currencies_are_compared_converted_and_unconvertible_ones_excluded() -> (
    None
):
    # FLEET: 13.00 CNY; US: 2.00 USD = 14.40 CNY; EU in EUR has no rate.
    us = carrier("US", currency="USD", rates={"local": ZoneRate(Decimal("1.00"), Decimal("0.50"))})
    eu = carrier("EU", currency="EUR")
    to_cny = {"CNY": Decimal(1), "USD": Decimal("7.2")}

    def convert(amount: Decimal, currency: str) -> Decimal | None:
        rate = to_cny.get(currency)
        return None if rate is None else amount * rate

    selection = select_carriers([us, carrier(), eu], shipment(), convert=convert)
    assert [(c.carrier_code, c.converted_price) for c in selection.choices] == [
        ("FLEET", Decimal("13.00")),
        ("US", Decimal("14.400")),
    ]
    assert reasons(selection) == {"EU": ExclusionReason.NO_EXCHANGE_RATE}
    # Compared as bare numbers, 2.00 USD would have looked cheaper than 13.00 CNY.
    assert select_carriers([us, carrier()], shipment()).choices[0].carrier_code == "US"
