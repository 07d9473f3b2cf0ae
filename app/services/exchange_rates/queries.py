"""Reading exchange rates."""

from __future__ import annotations

import uuid

from app.repositories.exchange_rates import ExchangeRateRecord
from app.repositories.pagination import PageResult
from app.services.resources import get_record, list_records
from app.services.unit_of_work import UnitOfWork


async def get_exchange_rate(uow: UnitOfWork, rate_id: uuid.UUID) -> ExchangeRateRecord:
    return await get_record(uow, lambda u: u.exchange_rates, rate_id)


async def list_exchange_rates(
    uow: UnitOfWork,
    *,
    base: str | None,
    quote: str | None,
    limit: int,
    cursor: str | None,
) -> PageResult[ExchangeRateRecord]:
    return await list_records(
        uow,
        lambda u: u.exchange_rates.page(base=base, quote=quote, limit=limit, cursor=cursor),
    )
