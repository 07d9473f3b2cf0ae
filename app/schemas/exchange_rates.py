"""Exchange rates: what an admin keeps so that carrier quotes in other currencies can be
ranked in the reporting currency."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field

from app.domain.auth import Principal
from app.domain.exchange_rates import ExchangeRate
from app.schemas.common import CurrencyCode, DecimalOut, Schema
from app.services.exchange_rates.commands import CreateExchangeRate

RateValue = Annotated[Decimal, Field(gt=0, max_digits=24, decimal_places=10)]


class ExchangeRateCreate(Schema):
    """``1 base_currency = rate quote_currency`` from ``valid_from`` on (until a rate of the
    same pair with a later date takes over)."""

    base_currency: CurrencyCode = Field(examples=["USD"])
    quote_currency: CurrencyCode = Field(examples=["CNY"])
    rate: RateValue = Field(examples=["7.1234"])
    valid_from: date = Field(description="The first day the rate is used")

    def to_command(self, principal: Principal) -> CreateExchangeRate:
        rate = ExchangeRate(self.base_currency, self.quote_currency, self.rate, self.valid_from)
        return CreateExchangeRate(principal=principal, rate=rate)


class ExchangeRateRead(Schema):
    id: uuid.UUID
    base_currency: str
    quote_currency: str
    rate: DecimalOut
    valid_from: date
    created_at: datetime
    created_by: str
