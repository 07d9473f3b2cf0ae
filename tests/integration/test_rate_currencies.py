"""Carrier quotes in several currencies through the HTTP API: ranked by their price in the
reporting currency (CNY), with the exchange rate in force today; listed unranked — never
bought by preference — without one; and a label bought by preference buys the best of the
quote's own ranking (fastest after a fastest quote)."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.test_exchange_rates import exchange_rate, today
from tests.integration.test_labels import (
    EASYPOST_KEYS,
    add_carrier,
    generic,
    label,
    national,
    rates,
    shipment,
)
from tests.integration.test_labels import fake_hosts_allowed as fake_hosts_allowed  # fixture
from tests.integration.test_labels import fakes as fakes  # the fixture
from tests.integration.test_shipments import data as data  # the fixture
from tests.support import assert_problem


async def easypost_carrier(client, auth) -> None:
    body = national(
        "EZ", adapter_kind="easypost", endpoint="http://good.fake", credentials=EASYPOST_KEYS
    )
    await add_carrier(client, auth, body)


def ranking(quote: dict) -> list[tuple[str, str, str]]:
    return [(r["service"], r["currency"], r["converted_price"]) for r in quote["rates"]]


async def test_cheapest_compares_prices_converted_into_the_reporting_currency(
    client, auth, data, fakes
) -> None:
    await generic(client, auth, "GOOD", "good.fake")  # CNY: economy 9.75, express 15.75
    await easypost_carrier(client, auth)  # USD: GroundAdvantage 8.25, Priority 10.75
    await exchange_rate(client, auth, "USD", "CNY", "7.1")
    ship = await shipment(client, auth)

    quote = (await rates(client, auth, ship["id"], preference="cheapest")).json()
    # 8.25 USD is 58.575 CNY: dearer than 9.75 CNY, however small the number looks.
    assert ranking(quote) == [
        ("economy", "CNY", "9.75"),
        ("express", "CNY", "15.75"),
        ("GroundAdvantage", "USD", "58.575"),
        ("Priority", "USD", "76.325"),
    ]
    assert {r["reporting_currency"] for r in quote["rates"]} == {"CNY"}
    assert quote["unranked"] == []
    bought = (await label(client, auth, ship["id"])).json()
    assert bought["label"]["service"] == "economy"


async def test_the_rate_in_force_is_the_newest_up_to_today(client, auth, data, fakes) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    await easypost_carrier(client, auth)
    await exchange_rate(client, auth, "USD", "CNY", "0.5", today() - timedelta(days=30))
    await exchange_rate(client, auth, "USD", "CNY", "0.9", today() - timedelta(days=1))
    await exchange_rate(client, auth, "USD", "CNY", "100", today() + timedelta(days=1))
    ship = await shipment(client, auth)

    quote = (await rates(client, auth, ship["id"], preference="cheapest")).json()
    assert ranking(quote) == [
        ("GroundAdvantage", "USD", "7.425"),
        ("Priority", "USD", "9.675"),
        ("economy", "CNY", "9.75"),
        ("express", "CNY", "15.75"),
    ]


async def test_a_rate_in_the_other_direction_converts_by_its_inverse(
    client, auth, data, fakes
) -> None:
    await easypost_carrier(client, auth)
    await exchange_rate(client, auth, "CNY", "USD", "0.125")  # 1 USD = 8 CNY
    ship = await shipment(client, auth)
    quote = (await rates(client, auth, ship["id"], preference="cheapest")).json()
    assert ranking(quote) == [("GroundAdvantage", "USD", "66"), ("Priority", "USD", "86")]


async def test_quotes_without_an_exchange_rate_are_listed_unranked_and_never_bought(
    client, auth, data, fakes
) -> None:
    await generic(client, auth, "GOOD", "good.fake")
    await easypost_carrier(client, auth)
    ship = await shipment(client, auth)

    quote = (await rates(client, auth, ship["id"], preference="cheapest")).json()
    assert [r["service"] for r in quote["rates"]] == ["economy", "express"]
    unranked = {r["service"]: r for r in quote["unranked"]}
    assert set(unranked) == {"GroundAdvantage", "Priority"}
    assert unranked["Priority"]["price"] == "10.75" and unranked["Priority"]["currency"] == "USD"
    assert "USD to CNY" in unranked["Priority"]["reason"]

    named = await label(client, auth, ship["id"], carrier="EZ", service="Priority")
    assert_problem(named, 409, code="no_exchange_rate")
    assert fakes["good.fake"].state.carrier.purchases == 0
    bought = (await label(client, auth, ship["id"])).json()
    assert bought["carrier"]["code"] == "GOOD" and bought["label"]["service"] == "economy"


async def test_a_label_bought_by_preference_after_a_fastest_quote_buys_the_fastest(
    client, auth, data, fakes
) -> None:
    await easypost_carrier(client, auth)  # Priority: 2 days, dearer; GroundAdvantage: 5 days
    await exchange_rate(client, auth, "USD", "CNY", "7.1")
    ship = await shipment(client, auth)  # the customer prefers cheapest (the default)

    quote = (await rates(client, auth, ship["id"], preference="fastest")).json()
    assert [r["service"] for r in quote["rates"]] == ["Priority", "GroundAdvantage"]
    bought = (await label(client, auth, ship["id"])).json()
    assert bought["label"]["status"] == "purchased"
    assert bought["label"]["service"] == "Priority"
