"""Exchange rates (汇率): the rates an admin keeps, dated, and the conversion of carrier prices
into the reporting currency so that quotes in different currencies can be ranked.

- A rate says ``1 base = rate quote`` from its ``valid_from`` day on; the rate in force on a day
  is the newest whose ``valid_from`` is on or before it. A later-dated rate never changes the
  past: a quote converted yesterday keeps yesterday's rate.
- Converting ``amount`` from X to Y uses the rate in force for X→Y, or else the inverse of the
  one in force for Y→X (the newer of the two when both exist). The same currency converts
  to itself. Without either there is no conversion, and the quote is listed unranked.
- A converted amount is kept to :data:`CONVERTED_PLACES` decimal places, so that ranking on the
  stored amount later gives the same order as ranking when it was converted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from app.domain.currencies import is_currency
from app.domain.errors import FieldIssue
from app.domain.shipments import QuotedRate

CONVERTED_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class ExchangeRate:
    base: str
    quote: str
    rate: Decimal  # 1 base = rate quote
    valid_from: date


def exchange_rate_issues(base: str, quote: str, rate: Decimal) -> list[FieldIssue]:
    """A rate is between two different ISO 4217 currencies and is positive."""
    issues = [
        FieldIssue(name, "iso_4217", f"'{code}' is not an ISO 4217 currency.")
        for name, code in (("base_currency", base), ("quote_currency", quote))
        if not is_currency(code)
    ]
    if base == quote:
        issues.append(
            FieldIssue("quote_currency", "differs_from_base", "A rate needs two currencies.")
        )
    if not rate.is_finite() or rate <= 0:
        issues.append(FieldIssue("rate", "positive", "The rate must be a positive number."))
    return issues


def in_force(
    rates: Iterable[ExchangeRate], base: str, quote: str, day: date
) -> ExchangeRate | None:
    """The newest rate for ``base → quote`` valid on ``day``."""
    valid = [r for r in rates if r.base == base and r.quote == quote and r.valid_from <= day]
    return max(valid, key=lambda r: r.valid_from, default=None)


def convert(
    amount: Decimal, currency: str, target: str, rates: Sequence[ExchangeRate], day: date
) -> Decimal | None:
    """``amount`` in ``currency`` expressed in ``target`` on ``day``, or None without a rate."""
    if currency == target:
        return amount.quantize(CONVERTED_PLACES, rounding=ROUND_HALF_EVEN)
    direct = in_force(rates, currency, target, day)
    inverse = in_force(rates, target, currency, day)
    if direct is not None and (inverse is None or direct.valid_from >= inverse.valid_from):
        value = amount * direct.rate
    elif inverse is not None:
        value = amount / inverse.rate
    else:
        return None
    return value.quantize(CONVERTED_PLACES, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Unconverted:
    """A quoted rate that cannot be ranked, and why."""

    rate: QuotedRate
    reason: str


def convert_rates(
    rates: Sequence[QuotedRate], target: str, table: Sequence[ExchangeRate], day: date
) -> tuple[list[QuotedRate], list[Unconverted]]:
    """The rates with their price in ``target`` (:attr:`QuotedRate.converted`), and those in a
    currency with no rate to ``target`` on ``day``, with the reason."""
    converted: list[QuotedRate] = []
    missing: list[Unconverted] = []
    for rate in rates:
        value = convert(rate.price, rate.currency, target, table, day)
        if value is None:
            reason = (
                f"No exchange rate from {rate.currency} to {target} is in force on "
                f"{day.isoformat()}: add one (POST /api/v1/exchange-rates) to rank this rate."
            )
            missing.append(Unconverted(rate, reason))
        else:
            converted.append(replace(rate, converted=value))
    return converted, missing
