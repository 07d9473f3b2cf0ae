"""What the carriers report reads: its roll-ups over a range, per period, key and cost
currency (grouped by month, the whole months from the month roll-ups and the part-months at
the edges from the day ones; either way an index range scan of the primary key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.repositories.report_carrier_models import ReportCarrier, ReportCarrierMonth
from app.repositories.report_carrier_rollups import SUMS
from app.repositories.report_queries import ReportQueries, Window, _day

CARRIERS = (ReportCarrier, ReportCarrierMonth)


@dataclass(frozen=True)
class CarrierRow:
    period: date
    key: str
    label: str
    currency: str  # '' for the shipments without a cost
    shipments: int
    delivered_with_promise: int
    on_time: int
    exceptions: int
    costed_shipments: int
    cost: Decimal
    costed_kg: Decimal


class ReportCarrierQueries(ReportQueries):
    async def carriers(self, w: Window) -> list[CarrierRow]:
        t = self._source(CARRIERS, w, ("key", "label", "currency", *SUMS))
        stmt = select(
            t.c.period, t.c.key, func.max(t.c.label), t.c.currency,
            *(func.sum(t.c[s]) for s in SUMS),
        ).group_by(t.c.period, t.c.key, t.c.currency)  # fmt: skip
        return [_row(r) for r in await self.session.execute(stmt)]


def _row(r: Any) -> CarrierRow:
    counts = [int(x or 0) for x in r[4:9]]
    return CarrierRow(
        period=_day(r[0]), key=r[1], label=r[2], currency=r[3], shipments=counts[0],
        delivered_with_promise=counts[1], on_time=counts[2], exceptions=counts[3],
        costed_shipments=counts[4], cost=_decimal(r[9], "0.0001"),
        costed_kg=_decimal(r[10], "0.001"),
    )  # fmt: skip


def _decimal(value: object, places: str) -> Decimal:
    """A sum read back at its scale (SQLite sums NUMERIC as floating point)."""
    return Decimal(str(value or 0)).quantize(Decimal(places))
