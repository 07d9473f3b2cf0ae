"""What every report shares: its window, keys as the API shows them, currency conversion."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from app.domain.errors import RuleViolation
from app.domain.exchange_rates import ExchangeRate, convert
from app.domain.reports.params import ReportParams
from app.repositories.report_queries import Window
from app.services.unit_of_work import UnitOfWork

UUID_DIMENSIONS = frozenset({"customer", "product", "warehouse", "carrier"})


def window(params: ReportParams, start: date | None = None, end: date | None = None) -> Window:
    return Window(start or params.start, end or params.end, params.grouping, params.dimension)


def shown_key(dimension: str, key: str) -> str:
    """A key as the API shows it (record ids in their usual hyphenated form)."""
    if dimension in UUID_DIMENSIONS and key:
        try:
            return str(uuid.UUID(key))
        except ValueError:
            return key
    return key


class Converter:
    """Amounts into the reporting currency at the rate in force on each period's first day;
    without a target, amounts stay in their own currency."""

    def __init__(self, target: str | None) -> None:
        self.target = target
        self.rates: list[ExchangeRate] = []

    async def load(self, uow: UnitOfWork, currencies: Iterable[str], end: date) -> None:
        if self.target is not None:
            self.rates = await uow.reports.rates(set(currencies), self.target, end)

    def currency(self, own: str) -> str:
        return self.target or own

    def __call__(self, amount: Decimal, currency: str, day: date) -> Decimal:
        if self.target is None:
            return amount
        value = convert(amount, currency, self.target, self.rates, day)
        if value is None:
            raise RuleViolation.on(
                "currency",
                "rate_missing",
                f"No exchange rate from {currency} to {self.target} is in force on {day}.",
            )
        return value
