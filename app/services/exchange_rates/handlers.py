"""Recording an exchange rate."""

from __future__ import annotations

from app.domain.errors import DuplicateKey
from app.domain.exchange_rates import exchange_rate_issues
from app.domain.products import raise_for_issues
from app.repositories.exchange_rates import ExchangeRateRecord
from app.services.bus import Context
from app.services.exchange_rates.commands import CreateExchangeRate
from app.services.resources import create_record
from app.services.unit_of_work import UnitOfWork


async def create_exchange_rate(
    cmd: CreateExchangeRate, uow: UnitOfWork, ctx: Context
) -> ExchangeRateRecord:
    """A rate is never changed once recorded: a correction is a new rate with a later date
    (a quote already converted keeps the rate it was converted with)."""
    rate = cmd.rate
    raise_for_issues(exchange_rate_issues(rate.base, rate.quote, rate.rate))

    async def check(uow: UnitOfWork) -> None:
        if await uow.exchange_rates.get_exact(rate.base, rate.quote, rate.valid_from):
            raise DuplicateKey(
                f"A {rate.base}→{rate.quote} rate from "
                f"{rate.valid_from.isoformat()} already exists."
            )

    record = ExchangeRateRecord(
        base_currency=rate.base,
        quote_currency=rate.quote,
        rate=rate.rate,
        valid_from=rate.valid_from,
        created_by=cmd.principal.actor,
    )
    return await create_record(
        uow,
        lambda u: u.exchange_rates,
        record,
        principal=cmd.principal,
        entity_type="exchange_rate",
        check=check,
    )
