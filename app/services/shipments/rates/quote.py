"""Rates for a shipment (``POST /shipments/{id}/rates``): every eligible carrier — by
coverage, weight, goods class and deadline, or the shipment's own carrier — is asked at once,
each under its own deadline, with no transaction open; a carrier that fails is reported beside
the others' rates. The answer, ranked by the customer's shipping preference (or the one asked
for), is stored on the shipment as its last quote, which
``app.services.shipments.labels`` buys from."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx

from app.adapters.carriers.base import Rate, ShipmentFacts
from app.adapters.carriers.registry import CarrierConfig, build_gateway
from app.domain.carrier_selection import Exclusion, Preference, select_carriers
from app.domain.carrier_selection import ShipmentFacts as SelectionFacts
from app.domain.exchange_rates import ExchangeRate, convert_rates
from app.domain.shipments import check_can_buy_label, rank_rates
from app.repositories.carriers import Carrier
from app.repositories.shipments import Shipment
from app.services.bus import Context
from app.services.common import retrying
from app.services.shipments.carriers.terms import carrier_terms, config_of
from app.services.shipments.rates.commands import QuoteRates
from app.services.shipments.rates.facts import (
    failure_of,
    preference_for,
    quoted_rates,
    shipment_facts,
)
from app.services.shipments.views import locked_shipment
from app.services.unit_of_work import UnitOfWork
from app.settings import Settings

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Quote:
    """The stored answer of ``POST .../rates``."""

    quoted_at: datetime
    preference: str
    preferred_carrier: str | None
    rates: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    excluded: list[dict[str, Any]]
    unranked: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "quoted_at": self.quoted_at.isoformat(),
            "preference": self.preference,
            "preferred_carrier": self.preferred_carrier,
            "rates": self.rates,
            "failures": self.failures,
            "excluded": self.excluded,
            "unranked": self.unranked,
        }


@dataclass(frozen=True)
class _Request:
    """What the carriers are asked, read in one short transaction."""

    ranking: str
    preferred: str | None
    facts: ShipmentFacts
    configs: list[CarrierConfig]
    promises: dict[str, date]  # carrier code → the date its master data promises
    exclusions: tuple[Exclusion, ...]


async def _ask(
    config: CarrierConfig, client: httpx.AsyncClient, facts: ShipmentFacts
) -> list[Rate]:
    gateway = build_gateway(config, client)
    async with asyncio.timeout(config.timeout_s):
        return await gateway.quote(facts)


def _rate_json(config: CarrierConfig, rate: Rate, table_promise: date | None) -> dict[str, Any]:
    """A carrier's rate as stored; a carrier that promises no date gets the one its master
    data gives (ship date plus the zone's transit days)."""
    promised = rate.promised_date or table_promise
    return {
        "carrier": config.code,
        "provider": rate.carrier_code,
        "service": rate.service,
        "price": str(rate.price),
        "currency": rate.currency,
        "promised_date": promised.isoformat() if promised else None,
        "zone": rate.zone,
        "offer_id": rate.offer_id,
    }


def _ranked(
    rates: list[dict[str, Any]],
    preference: str,
    preferred_carrier: str | None,
    table: list[ExchangeRate],
    today: date,
    reporting: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rates converted into the reporting currency and ranked, and those in a currency
    without a rate in force today, with the reason (listed, never ranked nor bought)."""
    converted, missing = convert_rates(quoted_rates(rates), reporting, table, today)
    ranked = [
        rates[r.position] | {"converted_price": str(r.converted), "reporting_currency": reporting}
        for r in rank_rates(converted, preference, preferred_carrier)
    ]
    unranked = [rates[u.rate.position] | {"reason": u.reason} for u in missing]
    return ranked, unranked


async def _candidates(uow: UnitOfWork, shipment: Shipment) -> list[Carrier]:
    """The shipment's own carrier when it has one, else every carrier."""
    if shipment.carrier_id:
        return [c for c in [await uow.carriers.get(shipment.carrier_id)] if c is not None]
    return await uow.carriers.all()


async def _request(uow: UnitOfWork, cmd: QuoteRates, now: datetime, settings: Settings) -> _Request:
    async with uow:
        shipment = await uow.shipments.get_or_raise(cmd.shipment_id)
        check_can_buy_label(shipment.status)
        ranking, preferred = await preference_for(
            uow, shipment, cmd.preference, cmd.preferred_carrier
        )
        facts = await shipment_facts(uow, shipment, now, settings)
        carriers = await _candidates(uow, shipment)
        selection = select_carriers(
            [carrier_terms(c) for c in carriers],
            SelectionFacts(
                country=facts.country,
                region=facts.region,
                weight_kg=facts.weight_kg,
                goods_classes=facts.goods_classes,
                now=facts.ship_at,
                deliver_by=facts.deliver_by,
            ),
            Preference.CHEAPEST,  # eligibility only: the rates are ranked afterwards
            None,
        )
        promises = {c.carrier_code: c.quote.promised_date for c in selection.choices}
        configs = [config_of(c) for c in carriers if c.code in promises]
    return _Request(ranking, preferred, facts, configs, promises, tuple(selection.exclusions))


async def _gather(
    request: _Request, client: httpx.AsyncClient
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every carrier's rates, asked at once, and the failures of those that could not say."""
    answers = await asyncio.gather(
        *(_ask(config, client, request.facts) for config in request.configs),
        return_exceptions=True,
    )
    rates: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for config, answer in zip(request.configs, answers, strict=True):
        if isinstance(answer, BaseException):
            if not isinstance(answer, Exception):
                raise answer
            log.warning(
                "carrier.quote_failed", extra={"carrier": config.code, "error": str(answer)}
            )
            failures.append(failure_of(config.code, answer))
        else:
            rates.extend(_rate_json(config, rate, request.promises[config.code]) for rate in answer)
    return rates, failures


async def quote_rates(cmd: QuoteRates, uow: UnitOfWork, ctx: Context) -> Quote:
    """Ask every eligible carrier at once; store and return the rates, best first by the
    preference (the customer's unless one is given), and the failures."""
    now, settings = _now(), ctx.settings
    request = await _request(uow, cmd, now, settings)
    rates, failures = await _gather(request, cmd.client)
    async with uow:
        table = await uow.exchange_rates.in_force(
            {r["currency"] for r in rates}, settings.reporting_currency, now.date()
        )
    ranked, unranked = _ranked(
        rates, request.ranking, request.preferred, table, now.date(), settings.reporting_currency
    )
    quote = Quote(
        quoted_at=now,
        preference=request.ranking,
        preferred_carrier=request.preferred,
        rates=ranked,
        unranked=unranked,
        failures=failures,
        excluded=[
            {"carrier": x.carrier_code, "reason": x.reason.value, "detail": x.detail}
            for x in request.exclusions
        ],
    )
    await _store_quote(uow, cmd.shipment_id, quote)
    return quote


@retrying
async def _store_quote(uow: UnitOfWork, shipment_id: uuid.UUID, quote: Quote) -> None:
    async with uow:
        shipment = await locked_shipment(uow, shipment_id)
        shipment.quote = quote.as_json()
        await uow.commit()
