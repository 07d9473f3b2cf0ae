"""Exchange-rate use cases: record a dated rate, read one, list them; and the rates in force
for converting carrier quotes (``app.services.rates``)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from app.domain.auth import Principal
from app.domain.errors import DuplicateKey, NotFound
from app.domain.exchange_rates import ExchangeRate, exchange_rate_issues
from app.domain.products import raise_for_issues
from app.repositories.exchange_rates import ExchangeRateRecord
from app.repositories.pagination import PageResult
from app.repositories.uow import SqlAlchemyUnitOfWork
from app.schemas.exchange_rates import ExchangeRateCreate
from app.services.common import record_created


async def create_exchange_rate(
    uow: SqlAlchemyUnitOfWork, data: ExchangeRateCreate, principal: Principal
) -> ExchangeRateRecord:
    """A rate is never changed once recorded: a correction is a new rate with a later date
    (a quote already converted keeps the rate it was converted with)."""
    raise_for_issues(exchange_rate_issues(data.base_currency, data.quote_currency, data.rate))
    async with uow:
        taken = await uow.exchange_rates.get_exact(
            data.base_currency, data.quote_currency, data.valid_from
        )
        if taken is not None:
            raise DuplicateKey(
                f"A {data.base_currency}→{data.quote_currency} rate from "
                f"{data.valid_from.isoformat()} already exists."
            )
        record = ExchangeRateRecord(**data.model_dump(), created_by=principal.actor)
        uow.exchange_rates.add(record)
        await record_created(uow, principal, "exchange_rate", record)
        await uow.commit()
    return record


async def get_exchange_rate(uow: SqlAlchemyUnitOfWork, rate_id: uuid.UUID) -> ExchangeRateRecord:
    async with uow:
        record = await uow.exchange_rates.get(rate_id)
    if record is None:
        raise NotFound(f"No exchange rate with id {rate_id}.")
    return record


async def list_exchange_rates(
    uow: SqlAlchemyUnitOfWork,
    *,
    base: str | None,
    quote: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[ExchangeRateRecord]:
    async with uow:
        return await uow.exchange_rates.page(base=base, quote=quote, limit=limit, cursor=cursor)


async def rates_in_force(
    uow: SqlAlchemyUnitOfWork, currencies: Collection[str], target: str, day: date
) -> list[ExchangeRate]:
    """The newest rates valid on ``day`` between ``target`` and each of ``currencies``
    (inside the caller's unit of work)."""
    rows = await uow.exchange_rates.in_force(currencies, target, day)
    return [ExchangeRate(r.base_currency, r.quote_currency, r.rate, r.valid_from) for r in rows]
