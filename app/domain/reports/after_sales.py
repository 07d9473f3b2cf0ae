"""The after-sales report's rules (售后分析): which units of a return count as returned, how a
return's refunds are shared among its lines, how long a case took to resolve, and the keys a
return line is counted under.

- A return is put in the period of the day it was **requested**; refunds in the period of
  their refund date.
- Returned units: while a return is open (requested or approved) the units it asks for; once
  received (or resolved), the units that actually came back; a refused or cancelled return
  counts nothing (nor as a return).
- A refund is tied to a return through the return's credit note (the refund paid when the
  return was resolved, and any refund of that note's credit later); each is shared among the
  return's lines by the value that came back (else by the value requested), to the cent.
- Keys: ``product`` the product id (labelled with its SKU), ``reason`` the return reason,
  ``product_reason`` ``<product id>:<reason>`` (labelled ``<SKU> / <reason>``), ``all`` ''."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from app.domain.reports.facts import hours_between
from app.domain.reports.stats import RATE_PLACES

DIMENSIONS = ("all", "product", "reason", "product_reason")
METRICS = ("returned_units", "return_rate", "refund_value", "returns")
# The dimensions whose shipped units are those of the key's product (the others: all units).
PRODUCT_DIMENSIONS = frozenset({"product", "product_reason"})
NOT_COUNTED = frozenset({"refused", "cancelled"})
ARRIVED = frozenset({"received", "resolved"})
OPEN_CASE_STATES = frozenset({"open", "in_progress", "waiting_customer"})
CENT = Decimal("0.01")
ZERO = Decimal(0)

ZH_HEADERS = {
    "returns": "退货单数",
    "returned_units": "退货数量",
    "received_units": "已收货数量",
    "shipped_units": "发货数量",
    "return_rate": "退货率",
    "refund_value": "退款金额",
    "kind": "工单类型",
    "opened": "新建工单",
    "resolved": "已解决工单",
    "resolve_p50_hours": "解决时长P50(小时)",
    "resolve_p90_hours": "解决时长P90(小时)",
    "open_now": "当前未结",
}


def counted(status: str) -> bool:
    """Whether a return counts at all (not refused or cancelled)."""
    return status not in NOT_COUNTED


def returned_units(status: str, requested: Decimal, received: Decimal | None) -> Decimal:
    """A return line's returned units: what came back once received, what it asks for while
    open, nothing once refused or cancelled."""
    if not counted(status):
        return ZERO
    if status in ARRIVED:
        return received or ZERO
    return requested


def received_units(status: str, received: Decimal | None) -> Decimal:
    return (received or ZERO) if status in ARRIVED else ZERO


def share(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``amount`` split by ``weights`` to the cent, summing exactly to ``amount``: each share
    rounded down, the cents left over going to the largest remainders (then the first lines);
    equal shares when every weight is zero."""
    if not weights:
        return []
    total = sum(weights, ZERO)
    if total <= 0:
        weights, total = [Decimal(1)] * len(weights), Decimal(len(weights))
    exact = [amount * w / total for w in weights]
    shares = [x.quantize(CENT, rounding=ROUND_DOWN) for x in exact]
    left = int(((amount - sum(shares, ZERO)) / CENT).to_integral_value())
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in by_remainder[:left]:
        shares[i] += CENT
    return shares


def return_rate(returned: Decimal, shipped: Decimal) -> Decimal | None:
    """Returned over shipped units to four places; None when nothing was shipped."""
    if shipped <= 0:
        return None
    return (returned / shipped).quantize(RATE_PLACES, rounding=ROUND_HALF_EVEN)


def resolve_hours(opened: datetime, resolved: datetime | None) -> int | None:
    """Whole hours from a case's opening to its resolution (None while unresolved)."""
    return hours_between(opened, resolved)
