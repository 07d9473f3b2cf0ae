"""The receivables report's figures from what the summaries answer: each key's balance at the
end of the range (its balance now less what moved after), the opening balance before the range,
the balance at the end of every period walked forward from it, DSO, and the conversion into the
reporting currency (money at the rate of each period's first day, as the sales report; a
balance at the rate of the day it stands on; what is open now at today's rate)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from app.domain.reports import receivables as rules
from app.repositories.report_receivables_queries import KeyCurrency, MoneyRow
from app.services.reports.common import Converter

ZERO = Decimal(0)


@dataclass
class Money:
    invoiced: Decimal = ZERO
    collected: Decimal = ZERO
    credited: Decimal = ZERO

    def add(self, invoiced: Decimal, collected: Decimal, credited: Decimal) -> None:
        self.invoiced += invoiced
        self.collected += collected
        self.credited += credited

    @property
    def net(self) -> Decimal:
        return self.invoiced - self.collected - self.credited


@dataclass
class Standing:
    """One key in one (own) currency over the range: its money, balance at the end, what of
    it is overdue now."""

    label: str
    money: Money = field(default_factory=Money)
    balance: Decimal = ZERO
    overdue: Decimal = ZERO

    @property
    def opening(self) -> Decimal:
        return self.balance - self.money.net

    def metric(self, name: str, days: int) -> Decimal:
        if name == "dso":
            return rules.dso(self.balance, self.money.invoiced, days) or ZERO
        if name in ("balance", "overdue"):
            return Decimal(getattr(self, name))
        return Decimal(getattr(self.money, name))


@dataclass
class ArPoint:
    period: date
    key: str
    label: str
    currency: str
    money: Money
    balance: Decimal = ZERO
    days: int = 0

    @property
    def dso(self) -> Decimal | None:
        return rules.dso(self.balance, self.money.invoiced, self.days)


@dataclass
class ArTotal:
    key: str
    label: str
    currency: str
    days: int
    money: Money = field(default_factory=Money)
    opening_balance: Decimal = ZERO
    balance: Decimal = ZERO
    overdue: Decimal = ZERO

    @property
    def dso(self) -> Decimal | None:
        return rules.dso(self.balance, self.money.invoiced, self.days)

    def metric(self, name: str) -> Decimal:
        if name == "dso":
            return self.dso or ZERO
        if name in ("balance", "overdue"):
            return Decimal(getattr(self, name))
        return Decimal(getattr(self.money, name))


def standings(
    sums: list[MoneyRow],
    now: dict[KeyCurrency, tuple[str, Decimal]],
    after: dict[KeyCurrency, Decimal],
) -> dict[KeyCurrency, Standing]:
    """Every key and currency that moved in the range or owes something at either end."""
    out: dict[KeyCurrency, Standing] = {}
    for r in sums:
        out[(r.key, r.currency)] = Standing(r.label, Money(r.invoiced, r.collected, r.credited))
    for kc, (label, balance) in now.items():
        s = out.setdefault(kc, Standing(label))
        s.balance = balance - after.get(kc, ZERO)
    return {
        kc: s
        for kc, s in out.items()
        if s.balance or s.opening or s.money.invoiced or s.money.collected or s.money.credited
    }


def note_overdue(
    found: dict[KeyCurrency, Standing], aging: Iterable[tuple[str, str, str, str, Decimal]]
) -> None:
    """Each key's open amounts past due now (every bucket but current) onto its standing."""
    for key, _label, currency, bucket, amount in aging:
        s = found.get((key, currency))
        if s is not None and bucket != "current":
            s.overdue += amount


def ranked_keys(found: dict[KeyCurrency, Standing], metric: str, days: int, top: int) -> list[str]:
    """The ``top`` best keys by ``metric``, each in its own currency."""
    order = sorted(found.items(), key=lambda x: (-x[1].metric(metric, days), x[1].label, x[0]))
    return list(dict.fromkeys(k for (k, _c), _s in order))[:top]


@dataclass(frozen=True)
class Figures:
    series: list[ArPoint]
    totals: list[ArTotal]


def figures(
    found: dict[KeyCurrency, Standing],
    rows: Iterable[MoneyRow],
    periods: list[rules.Period],
    convert: Converter,
    dates: tuple[date, date, date],
) -> Figures:
    """Series and totals of the keys and currencies of ``found`` (rows: their money per
    period), walked from the opening balance and converted; ``dates``: start, end, today."""
    start, end, today = dates
    moved: dict[tuple[date, str, str], MoneyRow] = {
        (r.period, r.key, r.currency): r for r in rows if r.period is not None
    }
    points: dict[tuple[date, str, str], ArPoint] = {}
    totals: dict[tuple[str, str], ArTotal] = {}
    range_days = (end - start).days + 1
    for (key, own), s in found.items():
        shown = convert.currency(own)
        total = totals.setdefault((key, shown), ArTotal(key, s.label, shown, range_days))
        total.opening_balance += convert(s.opening, own, start)
        total.balance += convert(s.balance, own, end)
        total.overdue += convert(s.overdue, own, today)
        balance = s.opening
        for p in periods:
            r = moved.get((p.start, key, own))
            point = points.setdefault(
                (p.start, key, shown), ArPoint(p.start, key, s.label, shown, Money(), days=p.days)
            )
            if r is not None:
                money = [convert(x, own, p.start) for x in (r.invoiced, r.collected, r.credited)]
                point.money.add(*money)
                total.money.add(*money)
                balance += r.invoiced - r.collected - r.credited
            point.balance += convert(balance, own, p.last)
    series = sorted(points.values(), key=lambda p: (p.period, p.currency, p.label, p.key))
    return Figures(series, list(totals.values()))
