"""Credit control: a customer's exposure against its limit (one rule, one place).

exposure = open receivables + approved orders not yet invoiced + this order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CreditPosition:
    limit: Decimal
    open_receivables: Decimal
    open_orders: Decimal  # approved (or further along) orders, not yet invoiced
    overdue_amount: Decimal = Decimal(0)
    max_days_overdue: int = 0

    @property
    def exposure(self) -> Decimal:
        return self.open_receivables + self.open_orders

    def exposure_with(self, order_total: Decimal) -> Decimal:
        return self.exposure + order_total

    @property
    def available(self) -> Decimal:
        return self.limit - self.exposure
