"""Exchange rates and the ranking of quotes in several currencies (pure domain)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.errors import InvalidState
from app.domain.exchange_rates import (
    ExchangeRate,
    convert,
    convert_rates,
    exchange_rate_issues,
    in_force,
)
from app.domain.shipments import QuotedRate, choose_rate, rank_rates

DAY = date(2026, 12, 1)
USD_CNY = ExchangeRate("USD", "CNY", Decimal("7.1"), date(2026, 1, 1))


def quoted(carrier: str, price: str, currency: str, promised: str | None = None, i: int = 0):
    return QuotedRate(carrier, "svc", Decimal(price), currency, promised, position=i)


def test_the_rate_in_force_is_the_newest_dated_on_or_before_the_day() -> None:
    rates = [
        ExchangeRate("USD", "CNY", Decimal("7.0"), date(2026, 1, 1)),
        ExchangeRate("USD", "CNY", Decimal("7.2"), DAY),
        ExchangeRate("USD", "CNY", Decimal("9.9"), DAY + timedelta(days=1)),
        ExchangeRate("EUR", "CNY", Decimal("8.0"), date(2026, 6, 1)),
    ]
    assert in_force(rates, "USD", "CNY", DAY) == rates[1]
    assert in_force(rates, "USD", "CNY", DAY - timedelta(days=1)) == rates[0]
    assert in_force(rates, "USD", "CNY", date(2025, 12, 31)) is None
    assert in_force(rates, "CNY", "USD", DAY) is None


def test_convert_directly_by_inverse_or_not_at_all() -> None:
    assert convert(Decimal("8.85"), "USD", "CNY", [USD_CNY], DAY) == Decimal("62.8350")
    assert convert(Decimal("71"), "CNY", "USD", [USD_CNY], DAY) == Decimal("10.0000")
    assert convert(Decimal("10.35"), "CNY", "CNY", [], DAY) == Decimal("10.3500")
    assert convert(Decimal("1"), "EUR", "CNY", [USD_CNY], DAY) is None
    # Both directions on file: the newer one counts.
    newer_inverse = ExchangeRate("CNY", "USD", Decimal("0.125"), date(2026, 6, 1))
    assert convert(Decimal("1"), "USD", "CNY", [USD_CNY, newer_inverse], DAY) == Decimal("8")


def test_cheapest_ranks_8_85_usd_above_10_35_cny() -> None:
    """The issue's example: compared as bare numbers 8.85 USD would win."""
    rates = [quoted("EZ", "8.85", "USD", i=0), quoted("SF", "10.35", "CNY", i=1)]
    converted, missing = convert_rates(rates, "CNY", [USD_CNY], DAY)
    assert missing == []
    assert [r.carrier for r in rank_rates(converted, "cheapest")] == ["SF", "EZ"]


def test_rates_without_an_exchange_rate_are_set_apart_with_the_reason() -> None:
    rates = [quoted("EZ", "8.85", "USD"), quoted("DHL", "9", "EUR", i=1)]
    converted, missing = convert_rates(rates, "CNY", [USD_CNY], DAY)
    assert [r.carrier for r in converted] == ["EZ"]
    (eur,) = missing
    assert eur.rate.carrier == "DHL" and "EUR to CNY" in eur.reason and "2026-12-01" in eur.reason


def test_a_named_rate_left_unranked_is_not_bought() -> None:
    unranked = [quoted("DHL", "9", "EUR")]
    ranked = [QuotedRate("SF", "svc", Decimal(5), "CNY", None, converted=Decimal(5))]
    with pytest.raises(InvalidState) as refused:
        choose_rate(ranked, carrier="DHL", service=None, preference="cheapest", unranked=unranked)
    assert refused.value.code == "no_exchange_rate"
    chosen = choose_rate(
        ranked, carrier=None, service=None, preference="cheapest", unranked=unranked
    )
    assert chosen.carrier == "SF"


def test_rate_rules() -> None:
    assert exchange_rate_issues("USD", "CNY", Decimal("7.1")) == []
    rules = {(i.field, i.rule) for i in exchange_rate_issues("USD", "USD", Decimal(0))}
    assert rules == {("quote_currency", "differs_from_base"), ("rate", "positive")}
    assert {i.field for i in exchange_rate_issues("XTS", "CNY", Decimal(1))} == {"base_currency"}


CURRENCIES = ["CNY", "USD", "EUR", "JPY"]
TABLE = [
    ExchangeRate("USD", "CNY", Decimal("7.1"), date(2026, 1, 1)),
    ExchangeRate("EUR", "CNY", Decimal("7.8"), date(2026, 1, 1)),
    ExchangeRate("CNY", "JPY", Decimal("21.3"), date(2026, 1, 1)),  # only the other way round
]
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2)
quotes = st.lists(
    st.tuples(
        prices,
        st.sampled_from(CURRENCIES),
        st.one_of(st.none(), st.dates(date(2026, 12, 1), date(2026, 12, 31))),
    ),
    max_size=12,
)


@given(quotes, st.sampled_from(["cheapest", "fastest"]))
def test_ranking_follows_the_converted_prices(items, preference) -> None:
    rates = [
        QuotedRate(f"C{i}", "svc", p, c, d.isoformat() if d else None, position=i)
        for i, (p, c, d) in enumerate(items)
    ]
    converted, missing = convert_rates(rates, "CNY", TABLE, DAY)
    assert missing == [] and len(converted) == len(rates)
    ranked = rank_rates(converted, preference)
    assert sorted(r.position for r in ranked) == list(range(len(rates)))
    for r in ranked:
        assert r.converted == convert(r.price, r.currency, "CNY", TABLE, DAY)
    if preference == "cheapest":
        values = [r.converted for r in ranked]
        assert values == sorted(values)  # type: ignore[type-var]
    else:
        for a, b in pairwise(ranked):
            da, db = a.promised_date or "9999-12-31", b.promised_date or "9999-12-31"
            assert da < db or (da == db and a.converted <= b.converted)  # type: ignore[operator]
