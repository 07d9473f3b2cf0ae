"""Exchange rates: dated rates an admin keeps, used to rank carrier quotes in the reporting
currency."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from app.deps import AUTHENTICATED, BusDep, PageDep, UowDep, requires
from app.domain.auth import Principal
from app.errors import problem_responses
from app.schemas.common import Page
from app.schemas.exchange_rates import ExchangeRateCreate, ExchangeRateRead
from app.services.exchange_rates import queries

router = APIRouter(
    prefix="/api/v1/exchange-rates", tags=["exchange-rates"], dependencies=AUTHENTICATED
)
# Every role that reads master data reads the rates; recording one is an admin's job.
Reader = Annotated[Principal, Depends(requires("warehouses:read"))]
Writer = Annotated[Principal, Depends(requires("admin"))]
CurrencyFilter = Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")]


@router.post(
    "",
    response_model=ExchangeRateRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record an exchange rate",
    responses=problem_responses(401, 403, 409, 422),
)
async def create(
    body: ExchangeRateCreate, bus: BusDep, uow: UowDep, principal: Writer
) -> ExchangeRateRead:
    """A rate of a pair from a day on; 409 `duplicate` when that pair already has one that
    day (rates are not edited: record a corrected one with a later date)."""
    record = await bus.handle(body.to_command(principal), uow)
    return ExchangeRateRead.model_validate(record)


@router.get(
    "",
    response_model=Page[ExchangeRateRead],
    summary="List exchange rates",
    responses=problem_responses(401, 403, 422),
)
async def list_(
    uow: UowDep,
    principal: Reader,
    page: PageDep,
    base_currency: CurrencyFilter = None,
    quote_currency: CurrencyFilter = None,
) -> Page[ExchangeRateRead]:
    """Rates by pair, then by the day they take effect; filtered by either currency."""
    result = await queries.list_exchange_rates(
        uow, base=base_currency, quote=quote_currency, limit=page.limit, cursor=page.cursor
    )
    return Page(
        items=[ExchangeRateRead.model_validate(r) for r in result.items],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{rate_id}",
    response_model=ExchangeRateRead,
    summary="Get an exchange rate",
    responses=problem_responses(401, 403, 404, 422),
)
async def get(rate_id: uuid.UUID, uow: UowDep, principal: Reader) -> ExchangeRateRead:
    """One recorded rate."""
    return ExchangeRateRead.model_validate(await queries.get_exchange_rate(uow, rate_id))
