"""The receivables report (应收账款): per period and key (all, customer, customer group) what
was invoiced, collected and credited, the balance at the period's end and DSO; the keys'
totals, best first by the metric; the grand total per currency; aging of what is open now by
days past due; and the customers whose exposure is over their credit limit now."""

from __future__ import annotations

import uuid
from dataclasses import astuple, dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

from app.domain.billing.aging import Bucket
from app.domain.reports import receivables as rules
from app.domain.reports.params import ReportParams
from app.repositories.report_receivables_queries import KeyCurrency
from app.services.reports.common import Converter, shown_key, window
from app.services.reports.receivables_figures import (
    ArPoint,
    ArTotal,
    Standing,
    figures,
    note_overdue,
    ranked_keys,
    standings,
)
from app.services.unit_of_work import UnitOfWork

DEFAULT_TOP = 50
ZERO = Decimal(0)
AgingRow = tuple[str, str, str, str, Decimal]
_T = TypeVar("_T", ArPoint, ArTotal)


@dataclass
class AgingLine:
    key: str
    label: str
    currency: str
    buckets: dict[Bucket, Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


@dataclass(frozen=True)
class OverLimit:
    """A customer whose exposure is over its credit limit (in the customer's currency)."""

    customer_id: uuid.UUID
    code: str
    name: str
    currency: str
    credit_limit: Decimal
    open_receivables: Decimal
    open_orders: Decimal
    exposure: Decimal

    @property
    def excess(self) -> Decimal:
        return rules.excess(self.exposure, self.credit_limit) or ZERO


@dataclass(frozen=True)
class ReceivablesReport:
    params: ReportParams
    as_of: datetime | None
    today: date
    series: list[ArPoint]
    totals: list[ArTotal]  # per key, best first, at most ``top``
    total: list[ArTotal]  # per currency
    aging: list[AgingLine]  # per key of ``totals``
    aging_total: list[AgingLine]  # per currency
    over_limit: list[OverLimit]


@dataclass(frozen=True)
class _Read:
    found: dict[KeyCurrency, Standing]  # the keys kept
    keys: list[str]
    aging: list[AgingRow]  # of the keys kept


async def _read(uow: UnitOfWork, params: ReportParams, today: date, top: int) -> _Read:
    """The best ``top`` keys' standings and aging. Aging is read for the kept keys only,
    unless it is what ranks them (``overdue``)."""
    q = uow.report_receivables
    found = standings(
        await q.money_by_key(window(params)),
        await q.balances_now(params.dimension),
        await q.moved_after(params.dimension, params.end),
    )
    days = (params.end - params.start).days + 1
    if params.metric == "overdue":
        aging = await q.aging(params.dimension, today)
        note_overdue(found, aging)
        keys = ranked_keys(found, params.metric, days, top)
    else:
        keys = ranked_keys(found, params.metric, days, top)
        # The one key of dimension all is open now whatever the range holds.
        aging = await q.aging(params.dimension, today, keys if params.dimension != "all" else [""])
        note_overdue(found, aging)
    wanted = set(keys) if params.dimension != "all" else {""}
    kept = {kc: s for kc, s in found.items() if kc[0] in wanted}
    return _Read(kept, keys, [r for r in aging if r[0] in wanted])


async def receivables_report(uow: UnitOfWork, params: ReportParams) -> ReceivablesReport:
    """The best ``top`` keys (default 50) are chosen by the metric in each key's own
    currency; their figures are then converted (``currency``)."""
    top = params.top or DEFAULT_TOP
    today = datetime.now(UTC).date()
    everything = replace(params, dimension="all", metric="balance")
    async with uow:
        mine = await _read(uow, params, today, top)
        rows = await uow.report_receivables.money(window(params), mine.keys)
        grand = await _read(uow, everything, today, 1)
        grand_rows = await uow.report_receivables.money(window(everything))
        over = await uow.report_receivables.over_limit(top)
        convert = Converter(params.currency)
        currencies = {c for _k, c in (*mine.found, *grand.found)}
        currencies |= {r[2] for r in grand.aging}
        await convert.load(uow, currencies, max(params.end, today))
        as_of = await uow.reports.as_of()
    periods = rules.periods(params.start, params.end, params.grouping)
    dates = (params.start, params.end, today)
    shown = figures(mine.found, rows, periods, convert, dates)
    totals = sorted(shown.totals, key=lambda t: (-t.metric(params.metric), t.label, t.key))
    grand_figures = figures(grand.found, grand_rows, periods, convert, dates)
    return ReceivablesReport(
        params=params,
        as_of=as_of,
        today=today,
        series=[_shown(p, params.dimension) for p in shown.series],
        totals=[_shown(t, params.dimension) for t in totals],
        total=sorted(grand_figures.totals, key=lambda t: t.currency),
        aging=_aging(mine.aging, params.dimension, convert, today),
        aging_total=_aging(grand.aging, "all", convert, today),
        over_limit=[OverLimit(*astuple(o)) for o in over],
    )


def _shown(item: _T, dimension: str) -> _T:
    item.key = shown_key(dimension, item.key)
    return item


def _aging(
    rows: list[AgingRow], dimension: str, convert: Converter, today: date
) -> list[AgingLine]:
    lines: dict[tuple[str, str], AgingLine] = {}
    for key, label, own, bucket, amount in rows:
        shown = convert.currency(own)
        line = lines.setdefault(
            (key, shown),
            AgingLine(shown_key(dimension, key), label, shown, {b: ZERO for b in Bucket}),
        )
        line.buckets[Bucket(bucket)] += convert(amount, own, today)
    return sorted(lines.values(), key=lambda x: (-x.total, x.label, x.key, x.currency))
