"""Carrier selection: which carriers can take a shipment, at what price, by when, and why the
others cannot.

The rules, written down once (the table-rate adapter calls them rather than repeating them):

- **Coverage**: the destination country is in the carrier's coverage; when regions are listed
  for that country the destination region must be one of them.
- **Weight**: the shipment's total weight is at most the carrier's maximum package weight.
- **Goods class**: every goods class in the shipment is one the carrier accepts.
- **Zone**: the zone rules map ``"<country>/<region>"`` first, then ``"<country>"``, then
  ``"default"`` to a zone, which has a price and a number of transit days.
- **Deadline**: the shipment leaves today when ``now`` is before the daily cutoff time (local
  wall-clock time, as given), otherwise tomorrow; it arrives that day plus the zone's transit
  days (calendar days). With a requested date, that must be on or before it.
- **Price**: ``base + per_kg × weight + the surcharges of the shipment's goods classes``, rounded
  once to the currency's minor unit (:func:`app.domain.money.round_money`).

Ranking compares prices in one currency: the caller gives the conversion (the reporting currency
with the exchange rates in force); a carrier whose currency cannot be converted is excluded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from app.domain.errors import FieldIssue
from app.domain.money import round_money
from app.domain.products import GoodsClass

DEFAULT_ZONE = "default"


class Preference(StrEnum):
    CHEAPEST = "cheapest"
    FASTEST = "fastest"
    PREFERRED = "preferred"


class ExclusionReason(StrEnum):
    INACTIVE = "inactive"
    NO_COVERAGE = "no_coverage"
    TOO_HEAVY = "too_heavy"
    GOODS_CLASS_REFUSED = "goods_class_refused"
    MISSES_DEADLINE = "misses_deadline"
    NO_EXCHANGE_RATE = "no_exchange_rate"


def preference_issues(preference: str, preferred_carrier: str | None) -> list[FieldIssue]:
    """``preferred`` needs the carrier it prefers."""
    if preference == Preference.PREFERRED and preferred_carrier is None:
        return [
            FieldIssue(
                "preferred_carrier",
                "required",
                "shipping preference 'preferred' needs a preferred_carrier.",
            )
        ]
    return []


@dataclass(frozen=True)
class ZoneRate:
    base: Decimal
    per_kg: Decimal


@dataclass(frozen=True)
class CarrierTerms:
    """What selection needs to know about one carrier.

    ``coverage`` maps a country (ISO 3166-1 alpha-2) to the regions served there; an empty
    set means the whole country. ``zone_rules`` keys are ``"CN/浙江省"``, ``"CN"`` or
    ``"default"``."""

    code: str
    currency: str
    coverage: Mapping[str, frozenset[str]]
    max_package_weight_kg: Decimal
    goods_classes: frozenset[GoodsClass]
    transit_days: Mapping[str, int]
    rates: Mapping[str, ZoneRate]
    zone_rules: Mapping[str, str]
    cutoff: time
    surcharges: Mapping[GoodsClass, Decimal] = field(default_factory=dict)
    active: bool = True

    def covers(self, country: str, region: str | None) -> bool:
        if country not in self.coverage:
            return False
        regions = self.coverage[country]
        return not regions or region in regions

    def zone_for(self, country: str, region: str | None) -> str | None:
        """The zone of a destination, or None when neither a rule nor a default names one."""
        keys = ([f"{country}/{region}"] if region else []) + [country, DEFAULT_ZONE]
        for key in keys:
            if key in self.zone_rules:
                return self.zone_rules[key]
        return None


@dataclass(frozen=True)
class ShipmentFacts:
    """What selection needs to know about one shipment. ``now`` is local wall-clock time."""

    country: str
    region: str | None
    weight_kg: Decimal
    goods_classes: frozenset[GoodsClass]
    now: datetime
    deliver_by: date | None = None


@dataclass(frozen=True)
class Quote:
    """One carrier's price and promise for one shipment."""

    carrier_code: str
    zone: str
    price: Decimal
    currency: str
    ship_date: date
    transit_days: int
    promised_date: date


@dataclass(frozen=True)
class Choice:
    quote: Quote
    reason: str
    converted_price: Decimal  # in the currency prices are compared in

    @property
    def carrier_code(self) -> str:
        return self.quote.carrier_code


@dataclass(frozen=True)
class Exclusion:
    carrier_code: str
    reason: ExclusionReason
    detail: str


@dataclass(frozen=True)
class Selection:
    """Eligible carriers, best first, and every other carrier with why it was left out."""

    choices: tuple[Choice, ...]
    exclusions: tuple[Exclusion, ...]


def ship_date(now: datetime, cutoff: time) -> date:
    """Today before the cutoff, tomorrow from the cutoff on."""
    today = now.date()
    return today if now.time() < cutoff else today + timedelta(days=1)


def price_for(carrier: CarrierTerms, zone: str, facts: ShipmentFacts) -> Decimal:
    rate = carrier.rates[zone]
    surcharges = sum(
        (carrier.surcharges.get(goods_class, Decimal(0)) for goods_class in facts.goods_classes),
        Decimal(0),
    )
    return round_money(rate.base + rate.per_kg * facts.weight_kg + surcharges, carrier.currency)


def evaluate(carrier: CarrierTerms, facts: ShipmentFacts) -> Quote | Exclusion:
    """The carrier's quote for the shipment, or the first rule that excludes it."""

    def excluded(reason: ExclusionReason, detail: str) -> Exclusion:
        return Exclusion(carrier.code, reason, detail)

    if not carrier.active:
        return excluded(ExclusionReason.INACTIVE, "The carrier is inactive.")
    destination = f"{facts.country}/{facts.region}" if facts.region else facts.country
    zone = carrier.zone_for(facts.country, facts.region)
    if (
        not carrier.covers(facts.country, facts.region)
        or zone is None
        or zone not in carrier.rates
        or zone not in carrier.transit_days
    ):
        return excluded(ExclusionReason.NO_COVERAGE, f"The carrier does not serve {destination}.")
    if facts.weight_kg > carrier.max_package_weight_kg:
        return excluded(
            ExclusionReason.TOO_HEAVY,
            f"{facts.weight_kg} kg is above the carrier's limit of "
            f"{carrier.max_package_weight_kg} kg.",
        )
    refused = sorted(facts.goods_classes - carrier.goods_classes)
    if refused:
        return excluded(
            ExclusionReason.GOODS_CLASS_REFUSED,
            f"The carrier does not accept {', '.join(refused)} goods.",
        )
    leaves = ship_date(facts.now, carrier.cutoff)
    days = carrier.transit_days[zone]
    arrives = leaves + timedelta(days=days)
    if facts.deliver_by is not None and arrives > facts.deliver_by:
        return excluded(
            ExclusionReason.MISSES_DEADLINE,
            f"Earliest delivery {arrives.isoformat()} is after the requested "
            f"{facts.deliver_by.isoformat()}.",
        )
    return Quote(
        carrier_code=carrier.code,
        zone=zone,
        price=price_for(carrier, zone, facts),
        currency=carrier.currency,
        ship_date=leaves,
        transit_days=days,
        promised_date=arrives,
    )


def _no_rate(quote: Quote) -> Exclusion:
    return Exclusion(
        quote.carrier_code,
        ExclusionReason.NO_EXCHANGE_RATE,
        f"Its price is in {quote.currency}, which has no exchange rate in force to the currency "
        "prices are compared in: add one (POST /api/v1/exchange-rates) to rank it.",
    )


def _describe(quote: Quote) -> str:
    return (
        f"{quote.price} {quote.currency}, delivers {quote.promised_date.isoformat()} "
        f"(zone {quote.zone}, {quote.transit_days} days)"
    )


PriceConversion = Callable[[Decimal, str], Decimal | None]


def _same_currency(amount: Decimal, currency: str) -> Decimal:
    return amount


def select_carriers(
    carriers: Iterable[CarrierTerms],
    facts: ShipmentFacts,
    preference: Preference = Preference.CHEAPEST,
    preferred_code: str | None = None,
    convert: PriceConversion = _same_currency,
) -> Selection:
    """Filter the carriers by the rules of this module, then rank the eligible ones by the
    customer's preference: cheapest (then earliest), fastest (then cheapest), or the preferred
    carrier first when it is eligible, then the others cheapest first. Prices are compared
    after ``convert`` (into one currency); a quote it cannot convert is excluded."""
    quotes: list[Quote] = []
    exclusions: list[Exclusion] = []
    compared: dict[str, Decimal] = {}
    for carrier in carriers:
        outcome = evaluate(carrier, facts)
        if isinstance(outcome, Exclusion):
            exclusions.append(outcome)
        elif (converted := convert(outcome.price, outcome.currency)) is None:
            exclusions.append(_no_rate(outcome))
        else:
            quotes.append(outcome)
            compared[outcome.carrier_code] = converted

    def cheapest(q: Quote) -> tuple[Decimal, date, str]:
        return (compared[q.carrier_code], q.promised_date, q.carrier_code)

    def fastest(q: Quote) -> tuple[date, Decimal, str]:
        return (q.promised_date, compared[q.carrier_code], q.carrier_code)

    def choice(quote: Quote, reason: str) -> Choice:
        return Choice(quote, reason, compared[quote.carrier_code])

    choices: list[Choice] = []
    if preference is Preference.FASTEST:
        for rank, quote in enumerate(sorted(quotes, key=fastest)):
            label = "fastest" if rank == 0 else f"fastest #{rank + 1}"
            choices.append(choice(quote, f"{label}: {_describe(quote)}"))
    else:
        ranked = sorted(quotes, key=cheapest)
        if preference is Preference.PREFERRED and preferred_code is not None:
            preferred = [q for q in ranked if q.carrier_code == preferred_code]
            for quote in preferred:
                choices.append(choice(quote, f"preferred carrier: {_describe(quote)}"))
            ranked = [q for q in ranked if q.carrier_code != preferred_code]
        for rank, quote in enumerate(ranked):
            label = "cheapest" if rank == 0 else f"cheapest #{rank + 1}"
            choices.append(choice(quote, f"{label}: {_describe(quote)}"))
    return Selection(tuple(choices), tuple(exclusions))


def carrier_issues(carrier: CarrierTerms) -> list[FieldIssue]:
    """Rules of carrier master data beyond the shape of each field: the zone rules have a
    default, and every zone they name has a price and transit days."""
    issues: list[FieldIssue] = []
    if DEFAULT_ZONE not in carrier.zone_rules:
        issues.append(
            FieldIssue(
                "zone_rules",
                "has_default",
                'The zone rules need a "default" entry for destinations no rule names.',
            )
        )
    for key, zone in sorted(carrier.zone_rules.items()):
        if zone not in carrier.rates:
            issues.append(
                FieldIssue(f"zone_rules.{key}", "priced_zone", f"Zone '{zone}' has no price.")
            )
        if zone not in carrier.transit_days:
            issues.append(
                FieldIssue(f"zone_rules.{key}", "timed_zone", f"Zone '{zone}' has no transit days.")
            )
    return issues
