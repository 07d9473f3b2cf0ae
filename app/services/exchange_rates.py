"""Exchange-rate use cases: record a dated rate, read one, list them. The rates in force for
converting carrier quotes are read with ``uow.exchange_rates.in_force``."""

from __future__ import annotations

import uuid

from app.domain.auth import Principal
from app.domain.errors import DuplicateKey, NotFound
from app.domain.exchange_rates import ExchangeRate, exchange_rate_issues
from app.domain.products import raise_for_issues
from app.repositories.exchange_rates import ExchangeRateRecord
from app.repositories.pagination import PageResult
from app.services.common import record_created
from app.services.unit_of_work import UnitOfWork


async def create_exchange_rate(
    uow: UnitOfWork, data: ExchangeRate, principal: Principal
) -> ExchangeRateRecord:
    """A rate is never changed once recorded: a correction is a new rate with a later date
    (a quote already converted keeps the rate it was converted with)."""
    raise_for_issues(exchange_rate_issues(data.base, data.quote, data.rate))
    async with uow:
        taken = await uow.exchange_rates.get_exact(data.base, data.quote, data.valid_from)
        if taken is not None:
            raise DuplicateKey(
                f"A {data.base}→{data.quote} rate from "
                f"{data.valid_from.isoformat()} already exists."
            )
        record = ExchangeRateRecord(
            base_currency=data.base,
            quote_currency=data.quote,
            rate=data.rate,
            valid_from=data.valid_from,
            created_by=principal.actor,
        )
        uow.exchange_rates.add(record)
        await record_created(uow, principal, "exchange_rate", record)
        await uow.commit()
    return record


async def get_exchange_rate(uow: UnitOfWork, rate_id: uuid.UUID) -> ExchangeRateRecord:
    async with uow:
        record = await uow.exchange_rates.get(rate_id)
    if record is None:
        raise NotFound(f"No exchange rate with id {rate_id}.")
    return record


async def list_exchange_rates(
    uow: UnitOfWork,
    *,
    base: str | None,
    quote: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[ExchangeRateRecord]:
    async with uow:
        return await uow.exchange_rates.page(base=base, quote=quote, limit=limit, cursor=cursor)
