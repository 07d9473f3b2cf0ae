"""Commands of the exchange-rate use cases."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.auth import Principal
from app.domain.exchange_rates import ExchangeRate


@dataclass(frozen=True, kw_only=True)
class CreateExchangeRate:
    principal: Principal
    rate: ExchangeRate
